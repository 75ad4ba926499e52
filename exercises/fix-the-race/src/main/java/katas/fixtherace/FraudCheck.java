package katas.fixtherace;

/** A slow remote service that must approve every withdrawal. Do not change this interface. */
@FunctionalInterface
public interface FraudCheck {

    /** Blocks while the service looks at the withdrawal; it may be asked more than once. */
    void approve(long amount);
}
