package katas.grader.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KitLayout;
import katas.grader.discovery.UnknownKataException;
import picocli.CommandLine.Option;

/** {@code --root DIR}, for ./grade and each of its commands, and how the kit's folder is found without it. */
final class RootOption {

    @Option(names = "--root", paramLabel = "DIR", description = "The kit's folder (default: found from here).")
    private Path root;

    /** The kit's folder for a command: its own --root, else the one given before it ({@code ./grade --root DIR hint}). */
    Path kitRoot(RootOption before) throws GradeCommand.UsageException {
        return root == null && before != null ? before.kitRoot() : kitRoot();
    }

    /** The kit a command works on: its own --root, else the one given to ./grade before the command. */
    KitLayout layout(GradeCommand parent) throws GradeCommand.UsageException {
        return KitLayout.of(kitRoot(parent == null ? null : parent.root()));
    }

    /** The one kata a command names, or a usage error that says where to look. */
    static Kata oneKata(Catalog catalog, String id) throws GradeCommand.UsageException, UnknownKataException {
        return catalog.select(List.of(id)).katas().stream().findFirst()
                .orElseThrow(() -> new GradeCommand.UsageException(id + " cannot be read (./grade --list says why)"));
    }

    /** The kit's folder: --root, else the one ./grade runs from, else the nearest above the working folder. */
    Path kitRoot() throws GradeCommand.UsageException {
        if (root != null) {
            if (!Files.isDirectory(root.resolve("exercises"))) {
                throw new GradeCommand.UsageException("--root " + root
                        + " is not a concurrency-katas folder (no exercises/ in it)");
            }
            return root.toAbsolutePath().normalize();
        }
        String fromScript = System.getProperty("katas.root");
        if (fromScript != null) {
            return Path.of(fromScript).toAbsolutePath().normalize();
        }
        return KitLayout.findRoot(Path.of("")).orElseThrow(() -> new GradeCommand.UsageException(
                "no concurrency-katas folder here or above (looked for exercises/ and grader/); use --root DIR"));
    }
}
