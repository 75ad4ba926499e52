/**
 * The runtime of a kata's forked JVM, a module that opens nothing to the learner's code (which runs on
 * the class path beside it): reflection, {@code sun.misc.Unsafe} (denied by the grader's JVM flags) and
 * class shadowing cannot reach its token, its socket or its guard.
 */
module katas.fork {
    requires transitive katas.testkit;
    requires org.junit.platform.launcher;
    requires com.fasterxml.jackson.databind;
    requires java.management;

    exports katas.grader.fork;
    exports katas.grader.perf;

    // Jackson writes and reads the channel's records; it is the only one let in.
    opens katas.grader.fork to com.fasterxml.jackson.databind;
    opens katas.grader.perf to com.fasterxml.jackson.databind;

    uses org.junit.platform.engine.TestEngine;
}
