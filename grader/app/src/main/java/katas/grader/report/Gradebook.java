package katas.grader.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import katas.grader.GradeResult;
import katas.grader.scoring.KataStatus;

/**
 * The instructor's gradebook: one CSV row per student with the total, the maximum and each kata's
 * points, and a last column naming katas that could not be graded normally.
 */
public final class Gradebook {

    private final Set<String> katas = new LinkedHashSet<>();
    private final List<Row> rows = new ArrayList<>();

    /** A student's grade, or why there is none. */
    private record Row(String student, GradeResult result, String ungraded) {
    }

    public void add(String student, GradeResult result) {
        result.katas().forEach(k -> katas.add(k.id()));
        rows.add(new Row(student, result, null));
    }

    /** A student who could not be graded at all, and why. */
    public void addUngraded(String student, String why) {
        rows.add(new Row(student, null, why));
    }

    public String csv() {
        StringBuilder out = new StringBuilder("student,total,max");
        katas.forEach(k -> out.append(',').append(k));
        out.append(",problems\n");
        for (Row row : rows) {
            if (row.result() == null) {
                out.append(cell(row.student())).append(",0,,");
                katas.forEach(k -> out.append(','));
                out.append(cell(row.ungraded())).append('\n');
                continue;
            }
            out.append(cell(row.student())).append(',').append(row.result().points()).append(',')
                    .append(row.result().max());
            for (String kata : katas) {
                out.append(',').append(row.result().katas().stream().filter(k -> k.id().equals(kata)).findFirst()
                        .map(k -> String.valueOf(k.points())).orElse(""));
            }
            String problems = row.result().katas().stream().filter(k -> k.status() != KataStatus.GRADED)
                    .map(k -> k.id() + " " + k.status().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .collect(Collectors.joining("; "));
            out.append(',').append(cell(problems)).append('\n');
        }
        return out.toString();
    }

    private static String cell(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }
}
