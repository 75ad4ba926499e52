package katas.grader.learner;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import katas.grader.discovery.Kata;

/**
 * {@code ./grade reset KATA}: puts a kata's stub back, after keeping the learner's code aside. The stub
 * is the version of {@code exercises/KATA/src/main} committed in git ({@code HEAD} unless another commit
 * is named); the learner's files, untracked ones included, are first copied to
 * {@code .grade-state/saved/KATA-<date>-<time>/src/main}. Outside a git checkout nothing is touched:
 * the grader cannot know the stub there, and says how to get it.
 */
public final class StubReset {

    static final String SAVED = "saved";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss");

    private final Path kitRoot;
    private final Clock clock;
    private final PrintWriter out;

    public StubReset(Path kitRoot, Clock clock, PrintWriter out) {
        this.kitRoot = kitRoot;
        this.clock = clock;
        this.out = out;
    }

    /**
     * Puts the stub of {@code kata} back from {@code revision}.
     *
     * @throws NotPossibleHere when this is not a git checkout, git is missing, or the revision has no stub
     */
    public void reset(Kata kata, String revision) throws IOException, NotPossibleHere {
        Path sources = kata.exerciseDir().resolve("src/main");
        String path = kitRoot.relativize(sources).toString().replace('\\', '/');
        Git git = new Git(kitRoot);
        String notGit = "the grader finds a kata's stub in git, and " + kitRoot + " is not a git checkout";
        Git.Answer inside;
        try {
            inside = git.run("rev-parse", "--is-inside-work-tree");
        } catch (IOException noGit) {
            throw new NotPossibleHere("git is not installed (" + noGit.getMessage() + "), and " + notGit.substring(4)
                    + ": nothing was changed. To start " + kata.id() + " over, copy " + path
                    + " from a fresh download of the kit over yours (keep a copy of yours first).");
        }
        if (!inside.ok() || !inside.out().strip().equals("true")) {
            throw new NotPossibleHere(notGit + ": nothing was changed. To start " + kata.id() + " over, copy " + path
                    + " from a fresh download (or clone) of the kit over yours (keep a copy of yours first).");
        }
        Git.Answer commit = git.run("rev-parse", "--verify", "--quiet", revision + "^{commit}");
        if (!commit.ok()) {
            throw new NotPossibleHere("there is no commit '" + revision + "' in this checkout: nothing was changed"
                    + " (git log --oneline -- " + path + " lists the commits that changed " + kata.id() + ")");
        }
        String sha = commit.out().strip();
        String described = revision + " (" + git.run("log", "-1", "--format=%h, \"%s\"", sha).out().strip() + ")";
        if (git.run("ls-tree", "-r", "--name-only", sha, "--", path).out().isBlank()) {
            throw new NotPossibleHere(path + " is not in commit " + described + ": nothing was changed");
        }
        boolean changed = !git.run("diff", "--quiet", sha, "--", path).ok()
                || !git.run("ls-files", "--others", "--exclude-standard", "--", path).out().isBlank()
                || !Files.isDirectory(sources);
        if (!changed) {
            out.println(path + " is already as committed in " + described + ": nothing to put back.");
            out.println("If you committed your own work, name the commit to go back to: git log --oneline -- "
                    + path + " lists them, then ./grade reset " + kata.id() + " --from COMMIT.");
            return;
        }
        Path saved = keepAside(kata, sources);
        Git.Answer restored = git.run("restore", "--source=" + sha, "--staged", "--worktree", "--", path);
        Git.Answer cleaned = restored.ok() ? git.run("clean", "-f", "-d", "-q", "--", path) : restored;
        String keptAt = kitRoot.relativize(saved).toString().replace('\\', '/');
        if (!restored.ok() || !cleaned.ok()) {
            throw new IOException("git could not put " + path + " back (" + (restored.ok() ? cleaned : restored).err()
                    + "); your code is safe in " + keptAt);
        }
        out.println("Put back the stub of " + kata.id() + ": " + path + " as committed in " + described + ".");
        out.println("Your version is kept in " + keptAt + "/ (to bring it back: cp -R " + keptAt + "/src/main "
                + kitRoot.relativize(kata.exerciseDir()).toString().replace('\\', '/') + "/src/).");
        if (revision.equals("HEAD")) {
            out.println("If you had committed your own work, that is what came back: git log --oneline -- " + path
                    + " lists earlier versions, and ./grade reset " + kata.id() + " --from COMMIT puts one back.");
        }
    }

    /** Copies the learner's {@code src/main} (regular files, links not followed) to a new dated folder. */
    private Path keepAside(Kata kata, Path sources) throws IOException {
        Path all = kitRoot.resolve(StateFile.FOLDER).resolve(SAVED);
        String stamp = LocalDateTime.ofInstant(clock.instant(), clock.getZone()).format(STAMP);
        Path target = all.resolve(kata.id() + "-" + stamp);
        for (int n = 2; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
            target = all.resolve(kata.id() + "-" + stamp + "-" + n);
        }
        Path copy = target.resolve("src/main");
        Files.createDirectories(copy);
        if (Files.isDirectory(sources, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(sources)) {
                files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
            }
            for (Path file : files) {
                Path to = copy.resolve(sources.relativize(file).toString());
                Files.createDirectories(to.getParent());
                Files.copy(file, to);
            }
        }
        return target;
    }
}
