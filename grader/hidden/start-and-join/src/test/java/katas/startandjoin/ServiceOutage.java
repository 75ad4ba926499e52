package katas.startandjoin;

/**
 * What some client libraries throw when their service is unreachable: a {@link Throwable} that is neither an
 * {@link Exception} nor an {@link Error} (thrown with {@code Sneaky.raise}, as such a library may). A failure
 * like any other: rule 3 says "whatever it throws".
 */
final class ServiceOutage extends Throwable {

    private static final long serialVersionUID = 1L;

    ServiceOutage(String message) {
        super(message);
    }
}
