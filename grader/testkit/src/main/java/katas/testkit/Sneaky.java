package katas.testkit;

/** Throws any throwable, checked or not, from code whose signature declares none. */
public final class Sneaky {

    private Sneaky() {
    }

    /** Throws {@code failure} as it is; "returns" so that callers can write {@code throw Sneaky.raise(e)}. */
    public static RuntimeException raise(Throwable failure) {
        throw Sneaky.<RuntimeException>cast(failure);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T cast(Throwable failure) throws T {
        throw (T) failure;
    }
}
