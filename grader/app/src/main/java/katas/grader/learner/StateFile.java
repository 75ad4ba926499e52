package katas.grader.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code .grade-state/state.json} at the kit's root, ignored by git: the {@link GradeState} of this
 * checkout. Reading never fails: a file that is missing is a fresh start, and one that cannot be read
 * (edited by hand, cut short, not JSON, far too large) is a fresh start with a one-line message saying
 * so; an entry that makes no sense (a score above its maximum, a kata id that is not a name) is dropped
 * on its own. Writing goes through a new file moved over the old one, so that a half-written file is
 * never left and a link put in its place is replaced, not written through.
 */
public final class StateFile {

    /** The grader's own folder at the kit's root: the state, and the learner's code kept aside by reset. */
    public static final String FOLDER = ".grade-state";
    static final String NAME = "state.json";
    private static final int VERSION = 1;
    /** Six katas take a few hundred bytes; anything this large was not written by the grader. */
    private static final long MAX_BYTES = 1 << 20;
    private static final Pattern KATA_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private final Path file;
    private final ObjectMapper json = new ObjectMapper();

    public StateFile(Path kitRoot) {
        this.file = kitRoot.resolve(FOLDER).resolve(NAME);
    }

    /** The file, for messages. */
    public Path path() {
        return file;
    }

    /**
     * What was read: the state, and why the file could not be used (null when it could, or was missing).
     */
    public record Loaded(GradeState state, String problem) {
    }

    /** The state in the file; never throws. */
    public Loaded load() {
        try {
            if (Files.size(file) > MAX_BYTES) {
                return fresh("it is larger than 1 MB");
            }
            JsonNode root = json.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) {
                return fresh("it is not a JSON object");
            }
            return new Loaded(new GradeState(grades(root.get("grades")), hints(root.get("hintsShown"))), null);
        } catch (NoSuchFileException missing) {
            return new Loaded(GradeState.empty(), null);
        } catch (IOException | RuntimeException unreadable) {
            String why = unreadable.getMessage() == null ? unreadable.toString() : unreadable.getMessage();
            return fresh(why.lines().findFirst().orElse(why));
        }
    }

    private Loaded fresh(String why) {
        return new Loaded(GradeState.empty(), "could not read " + FOLDER + "/" + NAME + " (" + why
                + "): starting afresh; it is rewritten at the next grade or hint (your code and grades are unaffected)");
    }

    private static Map<String, GradeState.LastGrade> grades(JsonNode node) {
        Map<String, GradeState.LastGrade> grades = new LinkedHashMap<>();
        if (node == null || !node.isObject()) {
            return grades;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode g = e.getValue();
            if (!KATA_ID.matcher(e.getKey()).matches() || !g.isObject() || !g.path("points").isInt()
                    || !g.path("max").isInt() || !g.path("solved").isBoolean() || !g.path("complete").isBoolean()) {
                continue;
            }
            int points = g.get("points").asInt();
            int max = g.get("max").asInt();
            if (points < 0 || max < 0 || points > max) {
                continue;
            }
            Instant at;
            try {
                at = Instant.parse(g.path("gradedAt").asText(""));
            } catch (DateTimeParseException badDate) {
                continue;
            }
            grades.put(e.getKey(), new GradeState.LastGrade(points, max, g.get("solved").asBoolean(),
                    g.get("complete").asBoolean(), at));
        }
        return grades;
    }

    private static Map<String, Integer> hints(JsonNode node) {
        Map<String, Integer> hints = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (KATA_ID.matcher(e.getKey()).matches() && e.getValue().isInt() && e.getValue().asInt() >= 0
                        && e.getValue().asInt() <= 100) {
                    hints.put(e.getKey(), e.getValue().asInt());
                }
            });
        }
        return hints;
    }

    /** Writes {@code state}, creating the folder; a file or link in the way is replaced. */
    public void save(GradeState state) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("version", VERSION);
        root.put("about", "Written by ./grade: your last grade of each kata and the hints you have seen. "
                + "Delete this folder to start afresh.");
        ObjectNode grades = root.putObject("grades");
        state.grades().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ObjectNode g = grades.putObject(e.getKey());
            g.put("points", e.getValue().points());
            g.put("max", e.getValue().max());
            g.put("solved", e.getValue().solved());
            g.put("complete", e.getValue().complete());
            g.put("gradedAt", e.getValue().gradedAt().toString());
        });
        ObjectNode hints = root.putObject("hintsShown");
        state.hintsShown().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> hints.put(e.getKey(), e.getValue()));
        Path folder = file.getParent();
        if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(folder);
        }
        Files.createDirectories(folder);
        Path fresh = Files.createTempFile(folder, NAME, ".tmp");
        try {
            Files.writeString(fresh, json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n",
                    StandardCharsets.UTF_8);
            Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(fresh);
        }
    }
}
