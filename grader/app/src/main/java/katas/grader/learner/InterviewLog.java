package katas.grader.learner;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import katas.grader.parts.PartScore;
import katas.grader.scoring.KataResult;

/**
 * What an interview session did, and its report: the kata, the minutes allowed and used, the time to the
 * first full pass, the grades used, the final score per part (the last grade's), and the rules broken along
 * the way with how many grades broke each.
 */
public final class InterviewLog {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    /** One grade of the session, {@code after} the start, when it ended. */
    public record Graded(Duration after, KataResult result) {
    }

    private final String kata;
    private final int minutes;
    private final Instant start;
    private final List<Graded> grades = new ArrayList<>();

    public InterviewLog(String kata, int minutes, Instant start) {
        this.kata = kata;
        this.minutes = minutes;
        this.start = start;
    }

    public void add(Duration after, KataResult result) {
        grades.add(new Graded(after, result));
    }

    public int gradesUsed() {
        return grades.size();
    }

    /** When the first grade at full marks (on every part graded here) ended, after the start. */
    public Optional<Duration> firstFullPass() {
        return grades.stream().filter(g -> g.result().completeHere()).map(Graded::after).findFirst();
    }

    /** The last grade, which is the session's score. */
    public Optional<KataResult> last() {
        return grades.isEmpty() ? Optional.empty() : Optional.of(grades.get(grades.size() - 1).result());
    }

    /** Each rule broken, with how many grades broke it, in the order they were first broken. */
    public Map<String, Integer> rulesBroken() {
        Map<String, Integer> count = new LinkedHashMap<>();
        for (Graded g : grades) {
            LostPoints.rulesBroken(g.result()).forEach(rule -> count.merge(rule, 1, Integer::sum));
        }
        return count;
    }

    /** "12:05", minutes and seconds. */
    public static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format("%d:%02d", s / 60, s % 60);
    }

    /**
     * The report in Markdown.
     *
     * @param used how long the session lasted
     * @param ending how it ended: "time was up", "ended with q"
     */
    public String render(Duration used, String ending, ZoneId zone) {
        StringBuilder md = new StringBuilder();
        md.append("# Interview: ").append(kata).append("\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "Kata", kata);
        row(md, "Started", WHEN.format(LocalDateTime.ofInstant(start, zone)));
        row(md, "Minutes allowed", String.valueOf(minutes));
        row(md, "Time used", clock(used) + " (" + ending + ")");
        row(md, "First full pass", firstFullPass().map(d -> clock(d) + " after the start").orElse("not reached"));
        row(md, "Grades used", String.valueOf(grades.size()));
        row(md, "Final score", last().map(r -> r.points() + "/" + r.max()).orElse("no grade was made"));
        md.append("\n## Final score per part\n\n");
        last().ifPresentOrElse(result -> {
            md.append("The last grade's, at ").append(clock(grades.get(grades.size() - 1).after())).append(".\n\n");
            md.append("| Part | Score |\n|---|---|\n");
            for (PartScore part : result.parts()) {
                row(md, part.part().id() + " (" + part.part().title() + ")", switch (part.status()) {
                    case NOT_AVAILABLE -> "not in this checkout";
                    case NOT_MEASURABLE -> "not measurable here";
                    case TAMPERED -> "tests changed";
                    default -> part.points() + "/" + part.part().points();
                });
            }
            if (result.message() != null) {
                md.append("\n").append(result.message().lines().findFirst().orElse("")).append("\n");
            }
        }, () -> md.append("No grade was made: press Enter (or g) during the session to grade.\n"));
        md.append("\n## Rules broken along the way\n\n");
        Map<String, Integer> broken = rulesBroken();
        if (broken.isEmpty()) {
            md.append(grades.isEmpty() ? "None graded.\n" : "None: every grade kept every rule it checked.\n");
        } else {
            md.append("| Rule | Grades that broke it |\n|---|---|\n");
            broken.forEach((rule, n) -> row(md, rule, n + " of " + grades.size()));
        }
        md.append("\n## Grades\n\n| # | At | Score |\n|---|---|---|\n");
        for (int i = 0; i < grades.size(); i++) {
            KataResult r = grades.get(i).result();
            md.append("| ").append(i + 1).append(" | ").append(clock(grades.get(i).after())).append(" | ")
                    .append(r.points()).append('/').append(r.max()).append(" |\n");
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(cell(name)).append(" | ").append(cell(value)).append(" |\n");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
