package katas.grader.fork.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import katas.grader.fork.ForkEvent;
import katas.grader.fork.IncidentKind;
import katas.grader.fork.ForkSpec;
import katas.grader.perf.Measurement;
import katas.grader.perf.SpeedupMeter;
import katas.testkit.HangGuard;
import katas.testkit.Shapes;
import katas.testkit.perf.SpeedupWorkload;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

/**
 * The forked JVM's entry point: connect to the grader, guard the JVM, run the tests with the JUnit
 * Platform launcher, measure speedups, say "done", and halt (a stuck learner thread must not keep
 * the JVM alive, and halting skips the shutdown hook that exists only to catch System.exit).
 */
public final class ForkMain {

    private ForkMain() {
    }

    public static void main(String[] args) throws Exception {
        // Started while the grader still compiles: load the engines first, then wait for the spec.
        ObjectMapper json = new ObjectMapper();
        Launcher launcher = launcher();
        ForkSpec spec = json.readValue(readSpecLine(), ForkSpec.class);
        EventSender sender = EventSender.connect(spec.port(), spec.token());
        OutputCapture output = OutputCapture.install(spec.outputBytes());
        ForkGuard guard = new ForkGuard(spec, sender);
        guard.start();
        ExitTrap.install(sender, guard);
        try {
            runTests(launcher, spec, sender, guard, output);
            for (ForkSpec.MeasurementSpec m : spec.measurements()) {
                guard.measurementStarted(m.partId());
                Measurement measurement = measure(m);
                guard.testFinished();
                sender.send(new ForkEvent.Measured(m.partId(), measurement));
            }
            sender.send(new ForkEvent.Done(null));
            sender.close();
        } catch (OutOfMemoryError oom) {
            // The test that hoarded memory is gone from the stack by now, so there is room to say so.
            sender.send(new ForkEvent.Incident(IncidentKind.MEMORY, guard.currentTest(), "ran out of memory (" + oom.getMessage()
                    + "): the kata's JVM has " + (Runtime.getRuntime().maxMemory() >> 20) + " MB of heap"));
        } catch (Throwable broken) {
            sender.send(new ForkEvent.Incident(IncidentKind.CRASH, guard.currentTest(), "the test run broke down: " + broken));
        } finally {
            ForkGuard.killChildren();
            Runtime.getRuntime().halt(0);
        }
    }

    /**
     * A launcher that takes nothing from the class path: its engines come from the modules of this JVM
     * (Jupiter), and no listener, filter or engine is registered from a services file, where the code
     * under grading could slip one in.
     */
    private static Launcher launcher() {
        LauncherConfig.Builder config = LauncherConfig.builder()
                .enableTestEngineAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false);
        ServiceLoader.load(ModuleLayer.boot(), TestEngine.class).forEach(config::addTestEngines);
        return LauncherFactory.create(config.build());
    }

    /**
     * The spec's one line from standard input, which is then closed: it holds the channel's token, and
     * no code that runs later in this JVM can read it there.
     */
    private static String readSpecLine() throws java.io.IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        java.io.InputStream in = System.in;
        for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
            line.write(b);
        }
        in.close();
        System.setIn(java.io.InputStream.nullInputStream());
        return line.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void runTests(Launcher launcher, ForkSpec spec, EventSender sender, ForkGuard guard,
            OutputCapture output) {
        List<String> classes = Stream.concat(spec.visibleClasses().stream(), spec.hiddenClasses().stream()).toList();
        if (classes.isEmpty()) {
            return;
        }
        Set<String> skip = new HashSet<>(spec.skip());
        Set<String> visible = new HashSet<>(spec.visibleClasses());
        Set<String> testClasses = new HashSet<>(classes);
        FailureText failures = new FailureText(spec.learnerPackage(), testClasses,
                (int) (Runtime.getRuntime().maxMemory() >> 20));
        ResultListener listener = new ResultListener(sender, guard, output, failures,
                new HashSet<>(spec.visibleClasses()), spec.failFast());
        List<DiscoverySelector> first = spec.first() == null ? List.of() : spec.first().stream()
                .filter(id -> !skip.contains(id)).map(id -> (DiscoverySelector) DiscoverySelectors.selectUniqueId(id))
                .toList();
        if (!first.isEmpty()) {
            // The tests named first, alone (a fail-fast grade may stop here); then all the others, as usual.
            launcher.execute(request(spec, first, skip, visible), listener);
            skip.addAll(listener.finishedIds());
        }
        launcher.execute(request(spec, classes.stream().map(c -> (DiscoverySelector) DiscoverySelectors.selectClass(c))
                .toList(), skip, visible), listener);
    }

    private static LauncherDiscoveryRequest request(ForkSpec spec, List<DiscoverySelector> selectors, Set<String> skip,
            Set<String> visible) {
        return LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors)
                .filters((PostDiscoveryFilter) d -> FilterResult.includedIf(!skip.contains(d.getUniqueId().toString())
                        && selected(spec, d, visible)))
                // Only what is set here: no junit-platform.properties, no system property, can change the run.
                .enableImplicitConfigurationParameters(false)
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .configurationParameter(HangGuard.SECONDS_PARAMETER, String.valueOf(spec.testSeconds()))
                .configurationParameter(Shapes.SEED_PARAMETER, String.valueOf(spec.seed()))
                .configurationParameter(Shapes.KATA_PARAMETER, String.valueOf(spec.kataId()))
                // A fail-fast grade asks only whether a test fails: a smaller failing shape would cost seconds.
                .configurationParameter(Shapes.SHRINK_PARAMETER, String.valueOf(!spec.failFast()))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();
    }

    /** Whether a test (a container always passes) is one a selector of the spec takes. */
    private static boolean selected(ForkSpec spec, TestDescriptor descriptor, Set<String> visible) {
        if (!descriptor.isTest()) {
            return true;
        }
        String className = descriptor.getSource().map(s -> s instanceof MethodSource m ? m.getClassName()
                : s instanceof ClassSource c ? c.getClassName() : "").orElse("");
        String origin = visible.contains(ResultListener.topLevel(className)) ? "visible" : "hidden";
        List<String> tags = descriptor.getTags().stream().map(TestTag::getName).toList();
        return spec.selectors().stream().anyMatch(s -> s.takes(origin, tags));
    }

    @SuppressWarnings("unchecked")
    private static Measurement measure(ForkSpec.MeasurementSpec m) {
        try {
            SpeedupWorkload<Object, Object> workload = (SpeedupWorkload<Object, Object>) Class
                    .forName(m.workloadClass()).getDeclaredConstructor().newInstance();
            return new SpeedupMeter().measure(workload, m.pairs(), m.targetPerCore(), m.assumedCores());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return new Measurement("", List.of(), 0, 0, 0, "the speedup workload " + m.workloadClass()
                    + " could not be started: " + e, Runtime.getRuntime().availableProcessors());
        }
    }
}
