package katas.grader.learner;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.parts.PartScore;
import katas.grader.scoring.KataResult;

/** Where a grade lost its points: the first reason whole, and every rule broken. */
public final class LostPoints {

    /**
     * The first reason a grade lost points.
     *
     * @param where the part and the rule (or the test, when it names no rule): "hidden: rule 1, no hit is lost"
     * @param text the whole reason, every line of it
     */
    public record Reason(String where, String text) {
    }

    private LostPoints() {
    }

    /** The first reason, in the parts' order; empty at full marks. */
    public static Optional<Reason> first(KataResult kata) {
        if (kata.message() != null) {
            return Optional.of(new Reason(kata.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                    kata.message()));
        }
        for (PartScore part : kata.parts()) {
            if (part.full() || !part.status().graded()) {
                continue;
            }
            Optional<TestRecord> failed = part.tests().stream().filter(t -> t.status() != TestStatus.PASSED).findFirst();
            if (failed.isPresent()) {
                TestRecord test = failed.get();
                String rule = kata.ruleOf(test);
                return Optional.of(new Reason(part.part().id() + ": " + (rule.isEmpty() ? test.name() : rule + " (" + test.name() + ")"),
                        test.message() == null ? test.status().name().toLowerCase(java.util.Locale.ROOT) : test.message()));
            }
            if (part.reason() != null) {
                return Optional.of(new Reason(part.part().id(), part.reason()));
            }
        }
        return Optional.empty();
    }

    /**
     * Every rule the grade broke, once each, in the order the tests ran: "rule 4, the account is never
     * overdrawn"; a failed test that names no rule counts as itself ("test HitCounter > ..."), a kata that did
     * not compile as "did not compile".
     */
    public static Set<String> rulesBroken(KataResult kata) {
        Set<String> rules = new LinkedHashSet<>();
        if (kata.message() != null) {
            rules.add(kata.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            return rules;
        }
        for (PartScore part : kata.parts()) {
            if (part.full() || !part.status().graded()) {
                continue;
            }
            boolean any = false;
            for (TestRecord test : part.tests()) {
                if (test.status() == TestStatus.PASSED) {
                    continue;
                }
                any = true;
                String rule = kata.ruleOf(test);
                if (rule.isEmpty()) {
                    rules.add("test " + test.name());
                } else {
                    rules.addAll(java.util.List.of(rule.split("; ")));
                }
            }
            if (!any && part.reason() != null) {
                rules.add(part.part().id() + ": " + part.reason().lines().findFirst().orElse(""));
            }
        }
        return rules;
    }
}
