package hostile;

public class Calculator {
    public int answer() {
        for (int i = 0; i < 5_000; i++) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        return 42;
    }
}
