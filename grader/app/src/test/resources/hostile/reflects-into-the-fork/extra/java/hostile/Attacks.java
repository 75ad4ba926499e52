package hostile;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/** Every way in-JVM code could reach the fork's sender and forge results; each says how it ended. */
final class Attacks {

    private Attacks() {
    }

    static void run() {
        attempt("setAccessible on EventSender.send", () -> {
            Class<?> sender = Class.forName("katas.grader.fork.internal.EventSender");
            for (Method m : sender.getDeclaredMethods()) {
                m.setAccessible(true);
            }
            return "opened " + sender;
        });
        attempt("setAccessible on ForkGuard's fields", () -> {
            Class<?> guard = Class.forName("katas.grader.fork.internal.ForkGuard");
            for (Field f : guard.getDeclaredFields()) {
                f.setAccessible(true);
            }
            return "opened " + guard;
        });
        attempt("privateLookupIn ForkMain", () -> MethodHandles.privateLookupIn(
                Class.forName("katas.grader.fork.internal.ForkMain"), MethodHandles.lookup()).toString());
        attempt("sun.misc.Unsafe field offsets", () -> {
            Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            Field target = Class.forName("katas.grader.fork.internal.ForkGuard").getDeclaredField("sender");
            Method offset = unsafe.getClass().getMethod("objectFieldOffset", Field.class);
            return "offset " + offset.invoke(unsafe, target);
        });
        attempt("a thread's task", () -> {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("grader-")) {
                    Field holder = Thread.class.getDeclaredField("holder");
                    holder.setAccessible(true);
                    return "read the holder of " + t.getName() + ": " + holder.get(t);
                }
            }
            return "no grader thread found";
        });
        attempt("attach to this JVM", () -> {
            Class<?> vm = Class.forName("com.sun.tools.attach.VirtualMachine");
            Object attached = vm.getMethod("attach", String.class).invoke(null,
                    String.valueOf(ProcessHandle.current().pid()));
            return "attached " + attached;
        });
        attempt("native code", () -> {
            System.loadLibrary("c");
            return "loaded libc";
        });
    }

    private interface Attack {
        String run() throws Throwable;
    }

    private static void attempt(String what, Attack attack) {
        try {
            System.out.println("ATTACK SUCCEEDED: " + what + ": " + attack.run());
        } catch (Throwable blocked) {
            Throwable cause = blocked.getCause() != null ? blocked.getCause() : blocked;
            System.out.println("blocked: " + what + ": " + cause.getClass().getSimpleName());
        }
    }
}
