package katas.grader.discovery;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import katas.grader.execution.Limits;
import katas.grader.parts.Part;

/** A kata's {@code kata.json}: identity, teaching order, graded parts and limits. */
public record KataManifest(String id, String title, int order, String track, String summary,
        @JsonProperty("package") String packageName, List<Part> parts, Limits limits) {

    /** Total points of the parts. */
    public int points() {
        return parts.stream().mapToInt(Part::points).sum();
    }

    /** The part with this id. */
    public Optional<Part> part(String partId) {
        return parts.stream().filter(p -> p.id().equals(partId)).findFirst();
    }

    /** The tags that route hidden or visible tests to a tagged part. */
    public Set<String> partTags() {
        return parts.stream().map(Part::tag).filter(Objects::nonNull).collect(Collectors.toSet());
    }
}
