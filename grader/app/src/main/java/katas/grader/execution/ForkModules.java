package katas.grader.execution;

import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Splits the grader's libraries between a fork's module path and its class path. On the module path
 * go the fork runtime module ({@value #RUNTIME}) and what it needs, JUnit Jupiter with its engine, and
 * the testkit: named modules whose insides the learner's code (on the class path, in the unnamed
 * module) cannot open. Everything else (AssertJ, Mockito, ArchUnit...) stays on the class path, where
 * tests use it as always.
 *
 * @param modulePath the entries of the fork's {@code --module-path}
 * @param classPath the grader's other entries, for the fork's {@code -cp} after the tests
 */
record ForkModules(List<Path> modulePath, List<Path> classPath) {

    /** The fork runtime's module. */
    static final String RUNTIME = "katas.fork";
    /** What {@code java -m} starts in a fork. */
    static final String MAIN = RUNTIME + "/katas.grader.fork.internal.ForkMain";
    private static final Set<String> ROOTS = Set.of(RUNTIME, "org.junit.jupiter");

    /**
     * The split of {@code entries}. Folders that are not modules (the grader's own classes, a build's
     * test classes) are left out: a fork has no use for them, and it could write into them.
     */
    static ForkModules of(List<Path> entries, Path graderItself) {
        Map<String, Path> named = new LinkedHashMap<>();
        for (Path entry : entries) {
            explicitModule(entry).ifPresent(name -> named.putIfAbsent(name, entry));
        }
        ModuleFinder finder = ModuleFinder.of(named.values().toArray(Path[]::new));
        Configuration resolved = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), ROOTS);
        Set<String> needed = resolved.modules().stream().map(ResolvedModule::name).collect(Collectors.toSet());
        List<Path> modulePath = new ArrayList<>();
        List<Path> classPath = new ArrayList<>();
        for (Path entry : entries) {
            if (entry.equals(graderItself)) {
                continue;
            }
            boolean module = named.entrySet().stream()
                    .anyMatch(e -> e.getValue().equals(entry) && needed.contains(e.getKey()));
            if (module) {
                modulePath.add(entry);
            } else if (Files.isRegularFile(entry)) {
                classPath.add(entry);
            }
        }
        return new ForkModules(List.copyOf(modulePath), List.copyOf(classPath));
    }

    /** The name of the module an entry holds with a module declaration of its own (not an automatic one). */
    private static java.util.Optional<String> explicitModule(Path entry) {
        boolean jar = Files.isRegularFile(entry) && entry.toString().endsWith(".jar");
        boolean exploded = Files.isRegularFile(entry.resolve("module-info.class"));
        if (!jar && !exploded) {
            return java.util.Optional.empty();
        }
        try {
            return ModuleFinder.of(entry).findAll().stream().map(ModuleReference::descriptor)
                    .filter(d -> !d.isAutomatic()).map(d -> d.name()).findFirst();
        } catch (FindException notAModule) {
            return java.util.Optional.empty();
        }
    }
}
