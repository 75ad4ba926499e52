package katas.grader.discovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The katas of a kit in teaching order, and the ones that could not be read (each with a message
 * that names the file and the problem, so grading goes on with the others).
 */
public record Catalog(List<Kata> katas, Map<String, String> invalid) {

    /** Every kata id known, valid or not, in teaching order then by name. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>(katas.stream().map(Kata::id).toList());
        ids.addAll(invalid.keySet());
        return ids;
    }

    /**
     * The katas named, in teaching order; all of them when {@code names} is empty.
     *
     * @throws UnknownKataException naming the first unknown kata and the known ones
     */
    public Catalog select(List<String> names) throws UnknownKataException {
        if (names.isEmpty()) {
            return this;
        }
        for (String name : names) {
            if (!ids().contains(name)) {
                throw new UnknownKataException(name, ids());
            }
        }
        List<Kata> chosen = katas.stream().filter(k -> names.contains(k.id())).toList();
        Map<String, String> bad = new LinkedHashMap<>();
        invalid.forEach((id, why) -> {
            if (names.contains(id)) {
                bad.put(id, why);
            }
        });
        return new Catalog(chosen, bad);
    }
}
