package katas.grader.fork;

/** What ended a fork early, or made its grade untrustworthy. */
public enum IncidentKind {
    /** A test ran past its bound outside the reach of the hang guard. */
    HANG,
    /** Too many threads alive at once. */
    THREADS,
    /** Too many child processes alive at once. */
    PROCESSES,
    /** The code called System.exit. */
    EXIT,
    /** The heap ran out. */
    MEMORY,
    /** The kata ran out of its time. */
    DEADLINE,
    /** Too much output straight to the console. */
    OUTPUT,
    /** The JVM stopped on its own. */
    CRASH,
    /** The grader killed a JVM that stopped answering. */
    KILLED,
    /** The code changed files the grader relies on. */
    TAMPERED
}
