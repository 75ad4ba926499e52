package katas.processpoolprimes;

import java.util.List;

/**
 * Run by the hidden launch test in a JVM of its own whose PATH holds no {@code java}: it starts a pool
 * of one {@link PrimeWorker}, prints the command each worker runs (as the operating system reports
 * it), counts the primes below 100 and closes the pool. Every outcome goes to standard output, one
 * line each: {@code worker <command>}, {@code counted <n>}, or {@code failed <exception>}.
 */
public final class PoolWithoutJavaOnPath {

    private PoolWithoutJavaOnPath() {
    }

    public static void main(String[] args) {
        try (ProcessPool pool = new ProcessPool(1)) {
            List<ProcessHandle> workers = ProcessHandle.current().children().toList();
            for (ProcessHandle worker : workers) {
                System.out.println("worker " + worker.info().command().orElse("?"));
            }
            System.out.println("counted " + pool.countPrimes(0, 100, 50));
        } catch (Throwable failed) {
            System.out.println("failed " + String.valueOf(failed).replace('\n', ' '));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
