package katas.grader.fork;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import katas.grader.perf.Measurement;

/**
 * One line on the channel from a fork to the grader, as JSON with its {@code type}. Each kind of event is
 * a record of its own, so that the grader handles every kind (an exhaustive switch) and no event carries
 * fields meant for another.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ForkEvent.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = ForkEvent.Discovered.class, name = "test"),
    @JsonSubTypes.Type(value = ForkEvent.Started.class, name = "started"),
    @JsonSubTypes.Type(value = ForkEvent.Finished.class, name = "finished"),
    @JsonSubTypes.Type(value = ForkEvent.Incident.class, name = "incident"),
    @JsonSubTypes.Type(value = ForkEvent.Measured.class, name = "measurement"),
    @JsonSubTypes.Type(value = ForkEvent.Done.class, name = "done")})
public sealed interface ForkEvent {

    /** The first line: proves the connection comes from the fork the grader started. */
    record Hello(String token) implements ForkEvent {
    }

    /**
     * A test the fork will run.
     *
     * @param name its display path ("HitCounter > under contention > keeps every hit ...")
     * @param origin "visible" or "hidden"
     */
    record Discovered(String id, String name, String className, String origin, List<String> tags)
            implements ForkEvent {
    }

    record Started(String id) implements ForkEvent {
    }

    /**
     * How a test ended.
     *
     * @param output what the code printed during the test, capped
     */
    record Finished(String id, TestOutcome outcome, String message, String output, long durationMillis)
            implements ForkEvent {
    }

    /** Something that ends the fork: a hang, a limit, System.exit. {@code testId} is the test it happened in. */
    record Incident(IncidentKind kind, String testId, String message) implements ForkEvent {
    }

    record Measured(String partId, Measurement measurement) implements ForkEvent {
    }

    /**
     * The fork did what it was asked.
     *
     * @param stoppedEarly why it stopped before every test had run (fail-fast), or null
     */
    record Done(String stoppedEarly) implements ForkEvent {
    }
}
