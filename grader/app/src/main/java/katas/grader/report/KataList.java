package katas.grader.report;

import java.io.PrintStream;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.parts.Part;

/** {@code ./grade --list}: the katas in teaching order with their parts and points. */
public final class KataList {

    private final PrintStream out;

    public KataList(PrintStream out) {
        this.out = out;
    }

    public void print(Catalog catalog) {
        for (Kata kata : catalog.katas()) {
            out.printf("%d. %-22s %s%n", kata.manifest().order(), kata.id(), kata.manifest().summary());
            for (Part part : kata.manifest().parts()) {
                String goal = part.goal().isEmpty() ? "" : " (" + part.goal() + ")";
                out.printf("     %3d pts  %s%s%n", part.points(), part.title(), goal);
            }
            if (!kata.hasHiddenTests()) {
                out.println("              (hidden tests not in this checkout)");
            }
        }
        catalog.invalid().forEach((id, why) -> out.printf("!  %-22s cannot be read: %s%n", id, why));
    }
}
