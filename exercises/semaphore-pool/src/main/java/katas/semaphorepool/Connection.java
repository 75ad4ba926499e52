package katas.semaphorepool;

/**
 * A connection to the database, made by the pool's factory. The pool only hands it out and takes it
 * back; it never calls it. Compare connections by identity ({@code ==}): two connections are the same
 * only when they are the same object.
 */
public interface Connection {

    /** Runs one statement on this connection and returns its answer. */
    String execute(String statement);
}
