package katas.grader.execution;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Three Linux system calls the JDK does not offer: become the subreaper of our descendants
 * ({@code prctl(PR_SET_CHILD_SUBREAPER)}), keep our memory and file descriptors from other processes of
 * the same user ({@code prctl(PR_SET_DUMPABLE, 0)}), and reap one adopted child ({@code waitpid}).
 * Called through the Foreign Function API, looked up reflectively: it is final from JDK 22, while the
 * grader compiles for 21, where it is missing or a preview. Where it cannot be had, {@link #load()} is
 * empty and the grader says what that costs.
 */
final class LinuxProcessCalls {

    private static final int PR_SET_DUMPABLE = 4;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int WNOHANG = 1;

    private final MethodHandle prctl;
    private final MethodHandle waitpid;
    private final Object nullPointer;

    private LinuxProcessCalls(MethodHandle prctl, MethodHandle waitpid, Object nullPointer) {
        this.prctl = prctl;
        this.waitpid = waitpid;
        this.nullPointer = nullPointer;
    }

    /** The calls, on Linux with JDK 22 or newer; empty elsewhere. */
    static Optional<LinuxProcessCalls> load() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
                || Runtime.version().feature() < 22) {
            return Optional.empty();
        }
        try {
            Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
            Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
            Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
            Object linker = linkerType.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
            Method find = lookupType.getMethod("find", String.class);
            Object intLayout = valueLayout.getField("JAVA_INT").get(null);
            Object longLayout = valueLayout.getField("JAVA_LONG").get(null);
            Object addressLayout = valueLayout.getField("ADDRESS").get(null);
            Method describe = descriptorType.getMethod("of", layoutType, layoutType.arrayType());
            Method downcall = linkerType.getMethod("downcallHandle", segmentType, descriptorType,
                    optionType.arrayType());

            // int prctl(int option, ...): variadic after the first argument.
            Object prctlArguments = layouts(layoutType, intLayout, longLayout, longLayout, longLayout, longLayout);
            Object prctlOptions = Array.newInstance(optionType, 1);
            Array.set(prctlOptions, 0, optionType.getMethod("firstVariadicArg", int.class).invoke(null, 1));
            MethodHandle prctl = (MethodHandle) downcall.invoke(linker,
                    ((Optional<?>) find.invoke(lookup, "prctl")).orElseThrow(),
                    describe.invoke(null, intLayout, prctlArguments), prctlOptions);
            // pid_t waitpid(pid_t pid, int *status, int options)
            Object waitArguments = layouts(layoutType, intLayout, addressLayout, intLayout);
            MethodHandle waitpid = (MethodHandle) downcall.invoke(linker,
                    ((Optional<?>) find.invoke(lookup, "waitpid")).orElseThrow(),
                    describe.invoke(null, intLayout, waitArguments), Array.newInstance(optionType, 0));
            return Optional.of(new LinuxProcessCalls(prctl, waitpid, segmentType.getField("NULL").get(null)));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unavailable) {
            return Optional.empty();
        }
    }

    /** The arguments' layouts as the {@code MemoryLayout[]} that {@code FunctionDescriptor.of} takes. */
    private static Object layouts(Class<?> layoutType, Object... layouts) {
        Object array = Array.newInstance(layoutType, layouts.length);
        for (int i = 0; i < layouts.length; i++) {
            Array.set(array, i, layouts[i]);
        }
        return array;
    }

    /** Orphans of our descendants become our children instead of init's, where we can see and stop them. */
    boolean becomeSubreaper() {
        return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
    }

    /** Other processes of the same user can no longer read our memory or open our file descriptors. */
    boolean stopBeingDumpable() {
        return prctl(PR_SET_DUMPABLE, 0) == 0;
    }

    /** Collects the exit of one dead child, without waiting; true when it was collected. */
    boolean reap(long pid) {
        try {
            return (int) waitpid.invokeWithArguments((int) pid, nullPointer, WNOHANG) == pid;
        } catch (Throwable failed) {
            return false;
        }
    }

    private int prctl(int option, long argument) {
        try {
            return (int) prctl.invokeWithArguments(option, argument, 0L, 0L, 0L);
        } catch (Throwable failed) {
            return -1;
        }
    }
}
