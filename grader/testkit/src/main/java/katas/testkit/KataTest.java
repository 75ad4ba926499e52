package katas.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a kata's test class: every test is bounded and explained when it hangs ({@link HangGuard}),
 * and may take a {@link Shapes} parameter, seeded so that every failure says how to replay it. The
 * grader registers nothing by itself (extension auto-detection is off, so that no code on the class
 * path can slip an extension in): a kata test class without this annotation has neither.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith({HangGuard.class, Shapes.Extension.class})
public @interface KataTest {
}
