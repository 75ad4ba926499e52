package katas.barrierphases;

/**
 * What {@link Simulation#run} throws when the rule failed for a cell: as its cause, exactly what the rule
 * threw. Given: do not change it. Immutable, so any thread may create it and hand it to another.
 */
public class SimulationFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param cause what the rule threw, as it is */
    public SimulationFailedException(Throwable cause) {
        super("the simulation failed: " + cause, cause);
    }
}
