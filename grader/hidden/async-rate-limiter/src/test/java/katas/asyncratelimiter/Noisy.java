package katas.asyncratelimiter;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import katas.testkit.Sneaky;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Hidden: the learner's classes loaded a second time, with noise at every lock boundary (in the way of
 * IBM's ConTest): just before a thread takes a monitor or a {@code Lock}, or calls an atomic, and just
 * after it lets go of one, the thread now and then yields or pauses for some tens of microseconds
 * ({@link NoiseHook}). Nothing else changes, so a correct limiter behaves exactly as before, only
 * slower; but two steps that should have been one (check, then act; decide, then lower a flag; read
 * "closed", then join the line) get other threads running between them, on two cores as on one.
 */
final class Noisy {

    private static final String HOOK = NoiseHook.class.getName().replace('.', '/');
    private static final String PACKAGE = AsyncRateLimiter.class.getPackageName().replace('.', '/') + "/";
    private static volatile Class<?> noisyClass;

    private Noisy() {
    }

    /** The learner's AsyncRateLimiter, loaded with noise, driven through method handles. */
    static final class Limiter {
        private static final MethodType CONSTRUCTOR = MethodType.methodType(void.class, int.class, Duration.class,
                int.class, LongSupplier.class, ScheduledExecutorService.class);
        private final Object target;
        private final MethodHandle submit;
        private final MethodHandle waiting;
        private final MethodHandle inFlight;
        private final MethodHandle close;

        Limiter(int permits, Duration period, int maxConcurrent, LongSupplier nanoTime,
                ScheduledExecutorService scheduler) {
            Class<?> type = noisyClass();
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            try {
                target = lookup.findConstructor(type, CONSTRUCTOR).invoke(permits, period, maxConcurrent, nanoTime,
                        scheduler);
                submit = lookup.findVirtual(type, "submit", MethodType.methodType(CompletableFuture.class,
                        Supplier.class)).bindTo(target);
                waiting = lookup.findVirtual(type, "waiting", MethodType.methodType(int.class)).bindTo(target);
                inFlight = lookup.findVirtual(type, "inFlight", MethodType.methodType(int.class)).bindTo(target);
                close = lookup.findVirtual(type, "close", MethodType.methodType(void.class)).bindTo(target);
            } catch (Throwable failure) {
                throw Sneaky.raise(failure);
            }
        }

        @SuppressWarnings("unchecked")
        CompletableFuture<Object> submit(Supplier<CompletableFuture<Object>> task) {
            try {
                return (CompletableFuture<Object>) submit.invoke(task);
            } catch (Throwable failure) {
                throw Sneaky.raise(failure);
            }
        }

        int waiting() {
            try {
                return (int) waiting.invoke();
            } catch (Throwable failure) {
                throw Sneaky.raise(failure);
            }
        }

        int inFlight() {
            try {
                return (int) inFlight.invoke();
            } catch (Throwable failure) {
                throw Sneaky.raise(failure);
            }
        }

        void close() {
            try {
                close.invoke();
            } catch (Throwable failure) {
                throw Sneaky.raise(failure);
            }
        }
    }

    private static Class<?> noisyClass() {
        Class<?> type = noisyClass;
        if (type == null) {
            synchronized (Noisy.class) {
                type = noisyClass;
                if (type == null) {
                    try {
                        type = Class.forName(AsyncRateLimiter.class.getName(), true, new Loader(learnerClasses()));
                    } catch (ClassNotFoundException | IOException | URISyntaxException broken) {
                        throw new IllegalStateException("could not load the limiter's classes again with noise (a "
                                + "problem of the grading set-up, not of your code): " + broken, broken);
                    }
                    noisyClass = type;
                }
            }
        }
        return type;
    }

    /** The class files of the learner's package and its sub-packages, by class name, from where AsyncRateLimiter was loaded. */
    private static Map<String, byte[]> learnerClasses() throws IOException, URISyntaxException {
        Path root = Path.of(AsyncRateLimiter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, byte[]> classes = new HashMap<>();
        if (Files.isDirectory(root)) {
            // Every class under the package, sub-packages too: code moved there must get the noise as well.
            Path dir = root.resolve(PACKAGE);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                    classes.put(relative.substring(0, relative.length() - ".class".length()).replace('/', '.'),
                            Files.readAllBytes(file));
                }
            }
        } else {
            try (JarFile jar = new JarFile(root.toFile())) {
                for (JarEntry entry : jar.stream().toList()) {
                    String path = entry.getName();
                    if (path.startsWith(PACKAGE) && path.endsWith(".class")) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            classes.put(path.substring(0, path.length() - ".class".length()).replace('/', '.'), in.readAllBytes());
                        }
                    }
                }
            }
        }
        Set<String> synchronizedMethods = new HashSet<>();
        Map<String, List<String>> supertypes = new HashMap<>();
        for (byte[] bytes : classes.values()) {
            new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                private String owner;

                @Override
                public void visit(int version, int access, String name, String signature, String superName,
                        String[] interfaces) {
                    owner = name;
                    List<String> direct = new ArrayList<>();
                    if (superName != null) {
                        direct.add(superName);
                    }
                    direct.addAll(Arrays.asList(interfaces));
                    supertypes.put(name, direct);
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    if ((access & Opcodes.ACC_SYNCHRONIZED) != 0) {
                        synchronizedMethods.add(owner + "." + name + descriptor);
                    }
                    return null;
                }
            }, ClassReader.SKIP_CODE);
        }
        Kinds kinds = new Kinds(supertypes);
        Map<String, byte[]> noisy = new HashMap<>();
        classes.forEach((name, bytes) -> noisy.put(name, withNoise(bytes, synchronizedMethods, kinds)));
        return noisy;
    }

    /**
     * Whether a call's owner is a lock or an atomic: a type of java.util.concurrent.locks or .atomic, or one that
     * extends or implements one (an empty {@code class StateLock extends ReentrantLock} in the learner's package, whose
     * {@code unlock()} the byte code names by the subclass), resolved through the learner's own class files and then
     * the classes the limiter sees.
     */
    private static final class Kinds {
        private static final String LOCKS = "java/util/concurrent/locks/";
        private static final String ATOMICS = "java/util/concurrent/atomic/";
        private final Map<String, List<String>> learnerSupertypes;
        private final Map<String, Set<String>> packagesAbove = new HashMap<>();

        Kinds(Map<String, List<String>> learnerSupertypes) {
            this.learnerSupertypes = learnerSupertypes;
        }

        boolean lock(String owner) {
            return above(owner).contains(LOCKS);
        }

        boolean atomic(String owner) {
            return above(owner).contains(ATOMICS);
        }

        /** Which of the two packages the owner or any of its supertypes belongs to. */
        private Set<String> above(String owner) {
            Set<String> known = packagesAbove.get(owner);
            if (known != null) {
                return known;
            }
            Set<String> found = new HashSet<>();
            packagesAbove.put(owner, found); // no cycles in a hierarchy, but never loop if there were one
            if (owner.startsWith(LOCKS)) {
                found.add(LOCKS);
            } else if (owner.startsWith(ATOMICS)) {
                found.add(ATOMICS);
            }
            List<String> direct = learnerSupertypes.get(owner);
            if (direct != null) {
                for (String type : direct) {
                    found.addAll(above(type));
                }
            } else if (!owner.startsWith("[")) {
                try {
                    Class<?> type = Class.forName(owner.replace('/', '.'), false,
                            AsyncRateLimiter.class.getClassLoader());
                    for (Class<?> each : allSupertypes(type)) {
                        String name = each.getName().replace('.', '/');
                        if (name.startsWith(LOCKS)) {
                            found.add(LOCKS);
                        } else if (name.startsWith(ATOMICS)) {
                            found.add(ATOMICS);
                        }
                    }
                } catch (ClassNotFoundException | LinkageError unknown) {
                    // a type the limiter's loader cannot see: judged by its name alone
                }
            }
            return found;
        }

        private static Set<Class<?>> allSupertypes(Class<?> type) {
            Set<Class<?>> all = new HashSet<>();
            List<Class<?>> todo = new ArrayList<>(List.of(type));
            while (!todo.isEmpty()) {
                Class<?> next = todo.removeLast();
                if (next != null && all.add(next)) {
                    todo.add(next.getSuperclass());
                    todo.addAll(Arrays.asList(next.getInterfaces()));
                }
            }
            return all;
        }
    }

    private static byte[] withNoise(byte[] bytes, Set<String> synchronizedMethods, Kinds kinds) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor code = super.visitMethod(access, name, descriptor, signature, exceptions);
                return new MethodVisitor(Opcodes.ASM9, code) {
                    private void hook(String which) {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, which, "()V", false);
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.MONITORENTER) {
                            hook("beforeLock");
                        }
                        super.visitInsn(opcode);
                        if (opcode == Opcodes.MONITOREXIT) {
                            hook("afterUnlock");
                        }
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc,
                            boolean isInterface) {
                        boolean locks = kinds.lock(owner);
                        // Every call on a lock is a boundary, whatever its name: the ones that let go (unlock,
                        // unlockWrite, tryUnlockRead, tryConvertToOptimisticRead of a StampedLock...) are followed by
                        // noise and the probe, every other one (lock, tryLock, writeLock, tryWriteLock,
                        // tryConvertToWriteLock, readLockInterruptibly...) is preceded by noise.
                        boolean releasing = locks && (method.startsWith("unlock") || method.startsWith("tryUnlock")
                                || method.equals("tryConvertToOptimisticRead"));
                        boolean taking = locks && !releasing;
                        boolean atomic = kinds.atomic(owner) || owner.equals("java/lang/invoke/VarHandle");
                        boolean lockedMethod = synchronizedMethods.contains(owner + "." + method + desc);
                        boolean receiverOnTop = locks && opcode != Opcodes.INVOKESTATIC && !method.equals("<init>")
                                && desc.startsWith("()");
                        if (receiverOnTop) {
                            super.visitInsn(Opcodes.DUP);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "seeLock", "(Ljava/lang/Object;)V",
                                    false);
                        }
                        if (taking && !receiverOnTop && opcode != Opcodes.INVOKESTATIC && !method.equals("<init>")) {
                            hook("beforeUnseenLockCall");
                        } else if (taking || atomic || lockedMethod) {
                            hook("beforeLock");
                        }
                        super.visitMethodInsn(opcode, owner, method, desc, isInterface);
                        if (releasing || lockedMethod) {
                            hook("afterUnlock");
                        }
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    /** Loads the learner's classes (with noise) itself, and everything else from its parent. */
    private static final class Loader extends ClassLoader {
        private final Map<String, byte[]> classes;

        Loader(Map<String, byte[]> classes) {
            super("noisy", AsyncRateLimiter.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    byte[] bytes = classes.get(name);
                    loaded = bytes == null ? getParent().loadClass(name) : defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
