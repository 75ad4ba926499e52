package katas.grader.execution;

import java.util.List;

/**
 * One test's result as the grader knows it.
 *
 * @param id JUnit's unique id
 * @param name the display path, e.g. "HitCounter > under contention > keeps every hit ..."
 * @param origin where the test comes from: "visible" or "hidden"
 * @param output what the learner's code printed during the test, capped
 */
public record TestRecord(String id, String name, String className, String origin, List<String> tags,
        TestStatus status, String message, String output, long durationMillis) {

    TestRecord finish(TestStatus newStatus, String newMessage, String newOutput, long millis) {
        return new TestRecord(id, name, className, origin, tags, newStatus, newMessage, newOutput, millis);
    }
}
