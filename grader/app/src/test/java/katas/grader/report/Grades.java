package katas.grader.report;

import java.time.Instant;
import java.util.List;
import katas.grader.GradeResult;
import katas.grader.Machine;
import katas.grader.execution.Incident;
import katas.grader.fork.IncidentKind;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.perf.Measurement;
import katas.grader.perf.SpeedupTarget;
import katas.grader.parts.Part;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.parts.SpeedupPart;
import katas.grader.parts.SpeedupVerdict;
import katas.grader.parts.TestSource;
import katas.grader.parts.TestsPart;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;

/** Small hand-made grades, one for each shape a report must handle. */
final class Grades {

    static final Part VISIBLE = new TestsPart("visible", "Visible tests", 40, TestSource.VISIBLE, null);
    static final Part HIDDEN = new TestsPart("hidden", "Hidden stress tests", 60, TestSource.HIDDEN, null);
    static final Part TESTS = new TestsPart("tests", "Correct counts", 50, TestSource.VISIBLE, null);
    static final Part SPEEDUP = new SpeedupPart("speedup", "Speedup", 50, "PrimesWorkload", 0.9);

    /** A message that tries to break a Markdown table and inject HTML. */
    static final String NASTY_MESSAGE = "expected | 100 | but was | 99 | *lost* <script>alert(1)</script>";

    private Grades() {
    }

    static TestRecord passed(String name) {
        return new TestRecord("[id]" + name, name, "katas.Test", "visible", List.of(), TestStatus.PASSED, null, "",
                12);
    }

    static TestRecord failed(String name, TestStatus status, String message, String output) {
        return new TestRecord("[id]" + name, name, "katas.Test", "visible", List.of(), status, message, output, 34);
    }

    /** Every test passes: 100/100. */
    static KataResult full() {
        return new KataResult("fix-the-race", "Fix the race", "solution", KataStatus.GRADED, null, List.of(
                new PartScore(VISIBLE, PartStatus.FULL, 40, null,
                        List.of(passed("HitCounter > counts every hit"), passed("HitCounter > starts at zero")), null),
                new PartScore(HIDDEN, PartStatus.FULL, 60, null, List.of(passed("stress > round 1 of 2"),
                        passed("stress > round 2 of 2")), null)),
                List.of(), List.of(), 1500, List.of());
    }

    /** One of three visible and one of four hidden tests lost: 26 + 45 of 100 (a share is rounded down). */
    static KataResult partial() {
        TestRecord lostVisible = failed("BankAccount > under contention > is never overdrawn", TestStatus.FAILED,
                NASTY_MESSAGE + "\nExpecting actual:\n  -10L", "withdrawing 10\n```\nnot a fence\n```\n\u001b[31mred\u001b[0m");
        TestRecord hung = failed("BankAccount > transfers > both ways", TestStatus.TIMED_OUT,
                "did not finish within 5 s: Thread-1 holds A and waits for B", null);
        return new KataResult("bank-account", "Bank | account", "exercise", KataStatus.GRADED, null, List.of(
                new PartScore(VISIBLE, PartStatus.PARTIAL, 26, "1 of 3 tests did not pass; first: "
                        + lostVisible.name() + ": " + NASTY_MESSAGE,
                        List.of(passed("BankAccount > deposits"), lostVisible, passed("BankAccount > withdraws")), null),
                new PartScore(HIDDEN, PartStatus.PARTIAL, 45, "1 of 4 tests did not pass; first: " + hung.name(),
                        List.of(passed("h1"), passed("h2"), hung, passed("h3")), null)),
                List.of(new Incident(IncidentKind.HANG, hung.name(), "deadlock: Thread-1 holds A, wants B\n"
                        + "  Thread-1 holds A, waits for B\n  Thread-2 holds B, waits for A"),
                        new Incident(IncidentKind.OUTPUT, null, "printed more than 1 MB; the rest was dropped")),
                List.of("the visible tests could not be verified against the kit"), 9000, List.of());
    }

    /** Tests full, speedup 1.45x of a 1.8x target on 2 cores: 50 + 28 of 100 (28.125 rounded down). */
    static KataResult speedup() {
        Measurement m = new Measurement("[0, 5000000)", List.of(1.40, 1.45, 1.52), 1.45, 950, 655, null, 2);
        SpeedupVerdict verdict = new SpeedupVerdict(m, SpeedupTarget.of(0.9, 2, 0, 2, 0));
        int points = verdict.score(50);
        return new KataResult("parallel-primes", "Parallel primes", "exercise", KataStatus.GRADED, null, List.of(
                new PartScore(TESTS, PartStatus.FULL, 50, null, List.of(passed("counts primes")), null),
                new PartScore(SPEEDUP, PartStatus.PARTIAL, points, "measured 1.45x, 0.35x short of the 1.80x target",
                        List.of(), verdict)),
                List.of(), List.of(), 4000, List.of());
    }

    /** Full points on 4 logical cores that worked like 1.8 (hyper-threads): 1.89x of a 1.62x target. */
    static KataResult speedupOnHyperThreads() {
        Measurement m = new Measurement("[0, 5000000)", List.of(1.88, 1.89, 1.90), 1.89, 950, 503, null, 4, 4, 1.83);
        SpeedupVerdict verdict = new SpeedupVerdict(m, SpeedupTarget.of(0.9, 4, 0, 4, 1.83));
        return new KataResult("parallel-primes", "Parallel primes", "exercise", KataStatus.GRADED, null, List.of(
                new PartScore(TESTS, PartStatus.FULL, 50, null, List.of(passed("counts primes")), null),
                new PartScore(SPEEDUP, PartStatus.FULL, 50, null, List.of(), verdict)),
                List.of(), List.of(), 4000, List.of());
    }

    /** The same kata on one core: its speedup part is left out of the maximum. */
    static KataResult speedupOnOneCore() {
        return new KataResult("parallel-primes", "Parallel primes", "exercise", KataStatus.GRADED, null, List.of(
                new PartScore(TESTS, PartStatus.FULL, 50, null, List.of(passed("counts primes")), null),
                new PartScore(SPEEDUP, PartStatus.NOT_MEASURABLE, 0, "speedup cannot be measured on 1 core",
                        List.of(), null)),
                List.of(), List.of(), 4000, List.of());
    }

    /** The learner's code does not compile: every part is lost, the message is javac's. */
    static KataResult doesNotCompile() {
        String javac = "Account.java:12: error: ';' expected\n        balance -= amount\n                         ^";
        return new KataResult("break-the-deadlock", "Break the deadlock", "exercise", KataStatus.DOES_NOT_COMPILE,
                javac, List.of(new PartScore(VISIBLE, PartStatus.NONE, 0, javac.lines().findFirst().get(), List.of(),
                        null), new PartScore(HIDDEN, PartStatus.NONE, 0, javac.lines().findFirst().get(), List.of(),
                        null)),
                List.of(), List.of(), 700, List.of());
    }

    /** A manifest that cannot be read: no parts at all. */
    static KataResult invalidManifest() {
        return new KataResult("broken-kata", "broken-kata", "exercise", KataStatus.INVALID,
                "kata.json: unknown field \"pionts\"", List.of(), List.of(), List.of(), 0, List.of());
    }

    static GradeResult grade(KataResult... katas) {
        return new GradeResult(Instant.parse("2026-11-20T10:00:00Z"), 20000,
                new Machine(2, "Eclipse Adoptium 25.0.3", "Linux 6.18 amd64"), "exercise", true, 0, 4242, List.of(katas));
    }

    /** All five shapes together. */
    static GradeResult everything() {
        return grade(full(), partial(), speedup(), doesNotCompile(), invalidManifest());
    }
}
