package katas.boundedbuffer;

/**
 * Thrown by a {@link BoundedBuffer} that is closed: to a producer that tries to put, or was waiting to put, when
 * it closed, and to a consumer once the buffer is closed and every item put before has been taken.
 */
public class BufferClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public BufferClosedException(String message) {
        super(message);
    }
}
