package katas.grader.fork;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import katas.grader.perf.Measurement;

/**
 * One line on the channel from a fork to the grader. Fields are filled according to {@link #type}.
 *
 * @param type hello, test (discovered), started, finished, incident, measurement, done
 * @param id a test's unique id
 * @param name a test's display path ("HitCounter > under contention > keeps every hit ...")
 * @param origin "visible" or "hidden"
 * @param status for finished: PASSED, FAILED, ABORTED
 * @param incident for incident: HANG, THREADS, PROCESSES, EXIT, DEADLINE, OUTPUT
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ForkEvent(String type, String id, String name, String className, String origin, List<String> tags,
        String status, String message, String output, Long durationMillis, String incident, String partId,
        Measurement measurement, String token) {

    public static ForkEvent hello(String token) {
        return new ForkEvent("hello", null, null, null, null, null, null, null, null, null, null, null, null, token);
    }

    public static ForkEvent discovered(String id, String name, String className, String origin, List<String> tags) {
        return new ForkEvent("test", id, name, className, origin, tags, null, null, null, null, null, null, null, null);
    }

    public static ForkEvent started(String id) {
        return new ForkEvent("started", id, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public static ForkEvent finished(String id, String status, String message, String output, long millis) {
        return new ForkEvent("finished", id, null, null, null, null, status, message, output, millis, null, null, null,
                null);
    }

    /** Something that ends the fork: a hang, a limit, System.exit. {@code id} is the test it happened in. */
    public static ForkEvent incident(String kind, String id, String message) {
        return new ForkEvent("incident", id, null, null, null, null, null, message, null, null, kind, null, null, null);
    }

    public static ForkEvent measured(String partId, Measurement measurement) {
        return new ForkEvent("measurement", null, null, null, null, null, null, null, null, null, null, partId,
                measurement, null);
    }

    public static ForkEvent done() {
        return stopped(null);
    }

    /** Done before every test ran, for the reason given (fail-fast). */
    public static ForkEvent stopped(String why) {
        return new ForkEvent("done", null, null, null, null, null, null, why, null, null, null, null, null, null);
    }
}
