package katas.testkit;

/** A look-alike of the testkit's annotation: the real one would be shadowed if this came first. */
public @interface KataTest {
}
