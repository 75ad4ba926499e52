package katas.grader.discovery;

import java.util.List;

/** A kata name that is not in the kit. */
public class UnknownKataException extends Exception {

    public UnknownKataException(String name, List<String> known) {
        super("unknown kata '" + name + "'; the katas are: " + String.join(", ", known));
    }
}
