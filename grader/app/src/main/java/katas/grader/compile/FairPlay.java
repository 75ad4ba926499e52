package katas.grader.compile;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The rule of every kata: the code behaves the same under the tests as anywhere else. Code that
 * looks at who calls it (the call stack), at which classes are loaded, or at how its JVM was started
 * can keep its bug everywhere but in the grader, and no test can tell; so the compiled learner
 * classes may not refer to the APIs that make this possible. It closes the easy paths, not every one:
 * the README states the rule, and instructors read code.
 */
public final class FairPlay {

    private record Forbidden(String what, Predicate<ConstantPool.MemberRef> matches) {
    }

    private static final Set<String> CLASS_INTROSPECTION = Set.of("forName", "getMethod", "getMethods",
            "getDeclaredMethod", "getDeclaredMethods", "getField", "getFields", "getDeclaredField", "getDeclaredFields",
            "getConstructor", "getConstructors", "getDeclaredConstructor", "getDeclaredConstructors", "getClassLoader",
            "getResource", "getResourceAsStream", "getModule", "getProtectionDomain", "getRecordComponents",
            "getEnclosingMethod", "getNestHost", "getNestMembers");

    private static final List<Forbidden> FORBIDDEN = List.of(
            new Forbidden("looks at the call stack", r -> r.name().equals("getStackTrace")
                    || r.name().equals("getAllStackTraces") || r.owner().startsWith("java/lang/StackWalker")
                    || r.owner().equals("java/lang/StackTraceElement")
                    || r.owner().equals("java/lang/System") && (r.name().equals("setErr") || r.name().equals("setOut"))),
            new Forbidden("looks at the other threads", r -> r.name().equals("enumerate")
                    && (r.owner().equals("java/lang/Thread") || r.owner().equals("java/lang/ThreadGroup"))
                    || r.name().equals("dumpAllThreads")
                    // The system group is the JDK's: threads made in it would pass for the JDK's own in a leak check
                    || r.owner().equals("java/lang/ThreadGroup") && r.name().equals("getParent")
                    || r.owner().endsWith("ThreadMXBean") && r.name().startsWith("getThreadInfo")),
            new Forbidden("uses reflection", r -> r.owner().startsWith("java/lang/reflect/")
                    && !r.owner().endsWith("Exception")
                    || r.owner().equals("java/lang/Class") && CLASS_INTROSPECTION.contains(r.name())
                    || r.owner().equals("java/lang/invoke/MethodHandles") && !r.name().equals("lookup")
                    || r.owner().equals("java/lang/invoke/MethodHandles$Lookup") && !r.name().endsWith("VarHandle")
                    || r.owner().startsWith("java/beans/")),
            new Forbidden("loads classes or resources itself", r -> r.owner().equals("java/lang/ClassLoader")
                    || r.owner().equals("java/lang/Module") || r.owner().equals("java/lang/ModuleLayer")
                    || r.owner().startsWith("java/lang/module/")),
            new Forbidden("looks at how its JVM was started", r -> r.name().equals("getRuntimeMXBean")
                    || r.owner().equals("java/lang/management/RuntimeMXBean") || r.owner().startsWith("javax/management/")
                    || r.owner().equals("java/lang/ProcessHandle$Info")
                            && (r.name().equals("commandLine") || r.name().equals("arguments"))
                    || r.owner().equals("java/lang/System") && (r.name().equals("getenv")
                            || r.name().equals("getProperties"))
                    || r.owner().equals("java/lang/Runtime") && r.name().equals("maxMemory")),
            new Forbidden("reaches into the JDK's internals", r -> r.owner().startsWith("sun/")
                    || r.owner().startsWith("jdk/internal/")
                    || r.owner().startsWith("com/sun/") && !r.owner().startsWith("com/sun/management/")));

    /** Words in a string constant that only code looking for the grader, its tests or its JVM would need. */
    private static final List<String> TELLTALE_STRINGS = List.of("org.junit", "org/junit", "katas.testkit",
            "katas/testkit", "katas.grader", "katas/grader", "sun.java.command", "jdk.module.", "surefire", "junit",
            "jupiter", "-xmx", "test-classes", "hidden-classes");

    private FairPlay() {
    }

    /**
     * What the compiled classes under {@code classes} do that the rule forbids, one line per class and
     * kind, naming the class and the member it uses; an empty list when they keep the rule.
     */
    public static List<String> problems(Path classes) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            problems.addAll(problems(Files.readAllBytes(file)));
        }
        return problems;
    }

    static List<String> problems(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        ConstantPool pool = ConstantPool.ofClassFile(in);
        in.readUnsignedShort();
        String self = pool.className(in.readUnsignedShort()).replace('/', '.');
        Map<String, Set<String>> found = new LinkedHashMap<>();
        for (ConstantPool.MemberRef ref : pool.memberRefs()) {
            for (Forbidden f : FORBIDDEN) {
                if (f.matches().test(ref)) {
                    found.computeIfAbsent(f.what() + ": it calls ", k -> new LinkedHashSet<>())
                            .add(ref.owner().replace('/', '.').replace('$', '.') + "." + ref.name());
                }
            }
        }
        for (String text : pool.strings()) {
            String lower = text.toLowerCase(Locale.ROOT);
            if (TELLTALE_STRINGS.stream().anyMatch(lower::contains)) {
                found.computeIfAbsent("looks for the grader or its tests: it holds ", k -> new LinkedHashSet<>())
                        .add("\"" + abbreviate(text) + "\"");
            }
        }
        List<String> problems = new ArrayList<>();
        found.forEach((what, items) -> problems.add(self + " " + what + String.join(", ", items)));
        return problems;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
