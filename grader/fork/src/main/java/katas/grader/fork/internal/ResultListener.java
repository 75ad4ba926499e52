package katas.grader.fork.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import katas.grader.fork.ForkEvent;
import katas.grader.fork.TestOutcome;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Reports every test over the channel as it is discovered, starts and finishes, with what it
 * printed. Tests that never start because their class failed to set up are reported as failed
 * with the class's error, so that no test silently disappears from the score.
 */
final class ResultListener implements TestExecutionListener {

    private final EventSender sender;
    private final ForkGuard guard;
    private final OutputCapture output;
    private final FailureText failures;
    private final Set<String> visibleClasses;
    private final boolean failFast;
    private final Set<String> finished = Collections.newSetFromMap(new ConcurrentHashMap<>());
    private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
    private TestPlan plan;

    ResultListener(EventSender sender, ForkGuard guard, OutputCapture output, FailureText failures,
            Set<String> visibleClasses, boolean failFast) {
        this.failFast = failFast;
        this.sender = sender;
        this.guard = guard;
        this.output = output;
        this.failures = failures;
        this.visibleClasses = new HashSet<>(visibleClasses);
    }

    /** The unique ids of the tests finished so far, in this execution and any before it on this listener. */
    Set<String> finishedIds() {
        return Set.copyOf(finished);
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
        for (TestIdentifier root : testPlan.getRoots()) {
            testPlan.getDescendants(root).forEach(this::announce);
        }
    }

    /** Parameterized and repeated tests register their invocations only as they run. */
    @Override
    public void dynamicTestRegistered(TestIdentifier test) {
        announce(test);
    }

    private void announce(TestIdentifier test) {
        if (test.isTest()) {
            String className = className(test);
            sender.send(new ForkEvent.Discovered(test.getUniqueId(), path(test), className,
                    visibleClasses.contains(topLevel(className)) ? "visible" : "hidden",
                    test.getTags().stream().map(TestTag::getName).sorted().toList()));
        }
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            output.begin();
            startedAt.put(test.getUniqueId(), System.currentTimeMillis());
            guard.testStarted(test.getUniqueId());
            sender.send(new ForkEvent.Started(test.getUniqueId()));
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        for (TestIdentifier t : testsUnder(test)) {
            report(t, TestOutcome.FAILED, "was skipped (" + reason + "): a skipped test earns no points", "", 0);
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest()) {
            guard.testFinished();
            long millis = System.currentTimeMillis() - startedAt.getOrDefault(test.getUniqueId(),
                    System.currentTimeMillis());
            TestOutcome status = switch (result.getStatus()) {
                case SUCCESSFUL -> TestOutcome.PASSED;
                case FAILED -> TestOutcome.FAILED;
                case ABORTED -> TestOutcome.ABORTED;
            };
            String message = result.getThrowable().map(failures::describe).orElse(null);
            if (output.overflowed()) {
                status = TestOutcome.OUTPUT;
                message = "printed " + output.total() + " bytes, more than the limit of " + output.capBytes() / 1024
                        + " KB per test (is something printing in a loop?)" + (message == null ? "" : "; " + message);
            }
            report(test, status, message, output.text(), millis);
        } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
            String why = result.getThrowable().map(failures::describe).orElse("setting it up failed");
            for (TestIdentifier t : testsUnder(test)) {
                report(t, TestOutcome.FAILED, "could not run because " + test.getDisplayName() + " failed: " + why, "", 0);
            }
        }
    }

    private void report(TestIdentifier test, TestOutcome status, String message, String text, long millis) {
        if (finished.add(test.getUniqueId())) {
            sender.send(new ForkEvent.Finished(test.getUniqueId(), status, message, text, millis));
            if (failFast && status != TestOutcome.PASSED) {
                // The self-check only asks whether points were lost: the rest would cost time, not change that.
                ForkGuard.killChildren();
                sender.send(new ForkEvent.Done("the grade stopped at the first test that did not pass (fail-fast)"));
                Runtime.getRuntime().halt(0);
            }
        }
    }

    private List<TestIdentifier> testsUnder(TestIdentifier node) {
        List<TestIdentifier> tests = new ArrayList<>();
        if (node.isTest()) {
            tests.add(node);
        }
        if (plan != null) {
            plan.getDescendants(node).stream().filter(TestIdentifier::isTest).forEach(tests::add);
        }
        return tests;
    }

    private String path(TestIdentifier test) {
        List<String> names = new ArrayList<>();
        for (TestIdentifier t = test; t != null && t.getParentId().isPresent();
                t = plan.getParent(t).orElse(null)) {
            names.add(0, t.getDisplayName());
        }
        return String.join(" > ", names);
    }

    private static String className(TestIdentifier test) {
        return test.getSource().map(source -> {
            if (source instanceof MethodSource m) {
                return m.getClassName();
            }
            if (source instanceof ClassSource c) {
                return c.getClassName();
            }
            return "";
        }).orElse("");
    }

    static String topLevel(String className) {
        int dollar = className.indexOf('$');
        return dollar < 0 ? className : className.substring(0, dollar);
    }
}
