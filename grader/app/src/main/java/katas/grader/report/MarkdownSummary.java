package katas.grader.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import katas.grader.GradeResult;
import katas.grader.execution.Incident;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;

/**
 * {@code summary.md}, also appended to {@code $GITHUB_STEP_SUMMARY}: the scoreboard as a table, then
 * one folded section per kata with every point lost and why. Sized for the job summary page, which
 * GitHub caps at 1 MiB per step: every lost test's message is shown (each up to {@value #LINES_SHOWN} lines), the
 * output the code printed only for the first few failures per part.
 */
public final class MarkdownSummary {

    private static final int OUTPUTS_SHOWN_PER_PART = 3;
    private static final int LINES_SHOWN = 20;

    private MarkdownSummary() {
    }

    public static String render(GradeResult result) {
        StringBuilder md = new StringBuilder();
        md.append("# Concurrency katas: ").append(result.points()).append('/')
                .append(result.max()).append(" points\n\n");
        md.append(machineLine(result)).append("\n\n");
        md.append("| Kata | Points | Parts | First reason lost |\n");
        md.append("| --- | ---: | --- | --- |\n");
        for (KataResult kata : result.katas()) {
            md.append("| ").append(mark(kata)).append(' ').append(Markdown.text(kata.id()))
                    .append(" | ").append(kata.points()).append('/').append(kata.max())
                    .append(" | ").append(Markdown.text(parts(kata)))
                    .append(" | ").append(Markdown.text(kata.firstReason()))
                    .append(" |\n");
        }
        for (KataResult kata : result.katas()) {
            md.append('\n').append(details(kata));
        }
        return md.toString();
    }

    private static String machineLine(GradeResult result) {
        String cores = result.coresOverride() > 0
                ? "speedup targets assume KATA_CORES=" + result.coresOverride()
                : "KATA_CORES not set: speedup targets assume the cores present";
        String oneCore = (result.machine().cores() == 1 ? " **" + Cores.ONE_CORE_WARNING + "**" : "")
                + result.machine().isolationGaps().stream().map(gap -> " " + Markdown.text(gap) + ".")
                        .collect(Collectors.joining());
        return "Graded " + Markdown.text(result.subject()) + " on " + Cores.count(result.machine().cores()) + ", JDK "
                + Markdown.text(result.machine().jdk()) + ", " + Markdown.text(result.machine().os()) + "; hidden tests "
                + (result.hiddenPresent() ? "present" : "**not in this checkout** (visible tests only)") + "; " + cores
                + "." + oneCore;
    }

    private static String mark(KataResult kata) {
        if (kata.status() != KataStatus.GRADED || kata.points() <= 0) {
            return "❌";
        }
        return kata.completeHere() ? "✅" : "🟡";
    }

    private static String parts(KataResult kata) {
        if (kata.status() != KataStatus.GRADED) {
            return words(kata.status());
        }
        return kata.parts().stream().map(p -> p.part().id() + " " + partScore(p)).collect(Collectors.joining(", "));
    }

    private static String partScore(PartScore part) {
        return switch (part.status()) {
            case NOT_AVAILABLE -> "not in this checkout";
            case NOT_MEASURABLE -> "not measurable here";
            case TAMPERED -> "tests changed";
            case FULL, PARTIAL, NONE -> part.points() + "/" + part.part().points();
        };
    }

    private static String details(KataResult kata) {
        StringBuilder md = new StringBuilder();
        md.append("<details><summary>").append(mark(kata)).append(" <b>").append(Markdown.html(kata.id()))
                .append("</b>: ").append(kata.points()).append('/').append(kata.max())
                .append(" — ").append(Markdown.html(kata.title())).append("</summary>\n\n");
        if (kata.message() != null) {
            md.append("**").append(Markdown.text(words(kata.status()))).append("**\n\n")
                    .append(Markdown.codeBlock(trim(kata.message()))).append('\n');
        }
        if (kata.status() == KataStatus.GRADED) {
            // Otherwise every part only repeats the message above.
            kata.parts().forEach(part -> md.append(part(part)));
        }
        if (!kata.incidents().isEmpty()) {
            md.append("**Incidents**\n\n");
            for (Incident incident : kata.incidents()) {
                md.append("- ").append(Markdown.text(incident.kind().name()))
                        .append(incident.testName() == null ? "" : " in " + Markdown.text(incident.testName()))
                        .append(": ").append(Markdown.text(firstLine(incident.message()))).append('\n');
                // The rest is the evidence: a deadlock cycle, the threads left running.
                appendBlock(md, rest(incident.message()));
            }
            md.append('\n');
        }
        if (!kata.notes().isEmpty()) {
            md.append("**Notes**\n\n");
            kata.notes().forEach(note -> md.append("- ").append(Markdown.text(note)).append('\n'));
            md.append('\n');
        }
        return md.append("</details>\n").toString();
    }

    private static String part(PartScore part) {
        StringBuilder md = new StringBuilder("**").append(Markdown.text(part.part().title())).append("**: ")
                .append(Markdown.text(partScore(part)));
        List<TestRecord> lost = part.tests().stream().filter(t -> t.status() != TestStatus.PASSED).toList();
        String detail = part.part().detail(part);
        if (detail != null) {
            md.append(", ").append(Markdown.text(detail));
        }
        if (!lost.isEmpty()) {
            // The reason names the first lost test, which the list below shows anyway.
            md.append(". ").append(lost.size()).append(" of ").append(part.tests().size()).append(" tests did not pass");
        } else if (part.status() != PartStatus.FULL && part.reason() != null
                && (part.speedup() == null || part.speedup().measurement().failure() == null)) {
            md.append(". ").append(Markdown.text(part.reason()));
        }
        md.append("\n\n");
        for (int i = 0; i < lost.size(); i++) {
            TestRecord test = lost.get(i);
            md.append("- ").append(Markdown.text(test.name())).append(": ").append(Markdown.text(firstLine(test.message() == null
                            ? test.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') : test.message())))
                    .append('\n');
            // The first line of the message is already in the bullet; the rest of every message is shown, since
            // the console sends learners here for it. Only what the code printed is capped, being the bulk.
            List<String> block = new ArrayList<>(rest(test.message()));
            if (i < OUTPUTS_SHOWN_PER_PART && test.output() != null && !test.output().isBlank()) {
                block.add("--- output ---");
                block.addAll(trim(test.output()));
            }
            appendBlock(md, block);
        }
        if (!lost.isEmpty()) {
            md.append('\n');
        }
        return md.toString();
    }

    /** A code block under a list item: indented by two spaces, it stays inside the item. */
    private static void appendBlock(StringBuilder md, List<String> lines) {
        if (!lines.isEmpty()) {
            Markdown.codeBlock(lines).lines().forEach(line -> md.append("  ").append(line).append('\n'));
        }
    }

    /** The lines after the first, trimmed. */
    private static List<String> rest(String text) {
        return text == null ? List.of() : trim(text.lines().skip(1).collect(Collectors.joining("\n")));
    }

    /**
     * At most {@link #LINES_SHOWN} lines, saying how many more there are. A line is never cut: its end
     * is often what matters (the frame a thread waits at, the sentence after a colon).
     */
    private static List<String> trim(String text) {
        // Blank lines around go, indentation stays: it is part of what is shown.
        List<String> lines = text.stripTrailing().lines().dropWhile(String::isBlank).toList();
        List<String> shown = new ArrayList<>(lines.subList(0, Math.min(LINES_SHOWN, lines.size())));
        if (lines.size() > LINES_SHOWN) {
            shown.add("… " + (lines.size() - LINES_SHOWN) + " more lines in results.json");
        }
        return shown;
    }

    private static String words(KataStatus status) {
        return switch (status) {
            case GRADED -> "graded";
            case DOES_NOT_COMPILE -> "does not compile";
            case INVALID -> "the kata cannot be read";
            case ERROR -> "the grader failed on this kata";
            case TAMPERED -> "your code changed the grader's files";
            case REFUSED -> "your code breaks the rule of fair play";
        };
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}
