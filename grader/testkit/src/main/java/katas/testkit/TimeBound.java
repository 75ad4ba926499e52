package katas.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How long one test may run before {@link HangGuard} fails it and explains the hang. Without it
 * the bound is the configuration parameter {@code katas.test.seconds} (20 s by default).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface TimeBound {
    /** Seconds the test may run. */
    int seconds();
}
