package katas.grader.learner;

/** What was asked cannot be done in this checkout (a reset outside git); the message says what to do instead. */
public class NotPossibleHere extends Exception {

    public NotPossibleHere(String message) {
        super(message);
    }
}
