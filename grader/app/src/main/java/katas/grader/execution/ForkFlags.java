package katas.grader.execution;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags that keep the learner's code out of the fork runtime, as far as the JDK running the
 * grade has them. Older JDKs refuse flags they do not know, so each is added only from its version on,
 * and {@link #missing()} says what a grade on this JDK goes without.
 */
public final class ForkFlags {

    /** From JDK 23: {@code sun.misc.Unsafe} cannot read or write memory (it could read any private field). */
    static final int UNSAFE_DENIED_FROM = 23;
    /** From JDK 24: code on the class path cannot load native code (which could read anything). */
    static final int NATIVE_DENIED_FROM = 24;

    private ForkFlags() {
    }

    static List<String> forThisJdk() {
        return forJdk(Runtime.version().feature());
    }

    static List<String> forJdk(int feature) {
        List<String> flags = new ArrayList<>();
        if (feature >= UNSAFE_DENIED_FROM) {
            flags.add("--sun-misc-unsafe-memory-access=deny");
        }
        if (feature >= NATIVE_DENIED_FROM) {
            flags.add("--illegal-native-access=deny");
        }
        // No agent can attach (an agent's Instrumentation opens every module), from inside or outside.
        flags.add("-XX:+DisableAttachMechanism");
        flags.add("-Djdk.attach.allowAttachSelf=false");
        // JUnit's launcher interceptors are code from the class path around every test: never.
        flags.add("-Djunit.platform.launcher.interceptors.enabled=false");
        return flags;
    }

    /** What this JDK cannot deny the learner's code, in words; empty when nothing. */
    public static String missing() {
        int feature = Runtime.version().feature();
        if (feature >= NATIVE_DENIED_FROM) {
            return "";
        }
        return "this grade ran on JDK " + feature + ", which cannot keep the code under grading from "
                + (feature >= UNSAFE_DENIED_FROM ? "native code" : "sun.misc.Unsafe and native code")
                + ", ways to reach into the grader's own fork; grade on JDK " + NATIVE_DENIED_FROM
                + " or newer (JDK 25) for a grade that must be trusted";
    }
}
