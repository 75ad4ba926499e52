package katas.grader.discovery;

/** A kata that cannot be graded as it stands: the message names the file and what is wrong. */
public class InvalidKataException extends Exception {

    public InvalidKataException(String message) {
        super(message);
    }
}
