package katas.breakthedeadlock;

/** Thrown when an account cannot cover a withdrawal; nothing was taken out. Given code: do not change it. */
public class InsufficientFundsException extends RuntimeException {

    /** An exception that says which account could not pay how much. */
    public InsufficientFundsException(String message) {
        super(message);
    }
}
