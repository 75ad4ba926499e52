package hostile;

public class Calculator {
    private final Object left = new Object();
    private final Object right = new Object();

    public int answer() {
        Thread other = new Thread(() -> lockBoth(right, left), "other-diner");
        other.start();
        lockBoth(left, right);
        return 42;
    }

    private static void lockBoth(Object first, Object second) {
        synchronized (first) {
            pause();
            synchronized (second) {
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
