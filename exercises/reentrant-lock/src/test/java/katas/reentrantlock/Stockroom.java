package katas.reentrantlock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import katas.testkit.Shapes;

/**
 * A warehouse layout drawn from the seed (aisles of bins with their opening stock) and the model the tests keep of
 * it: what each bin must hold after the calls they made.
 */
final class Stockroom {

    final List<Location> bins = new ArrayList<>();
    final Map<Location, Long> expected = new LinkedHashMap<>();

    /** A layout of a few aisles with a few bins each; every bin holds {@code minUnits} or more. */
    static Stockroom draw(Shapes round, long minUnits, long maxUnits) {
        return draw(round, minUnits, maxUnits, 1);
    }

    /** As {@link #draw(Shapes, long, long)}, with at least {@code minAisles} aisles. */
    static Stockroom draw(Shapes round, long minUnits, long maxUnits, int minAisles) {
        Stockroom room = new Stockroom();
        int aisles = round.between("aisles", minAisles, 4);
        java.util.Random random = round.random();
        for (int a = 0; a < aisles; a++) {
            String aisle = "A" + (1 + random.nextInt(99)) + "-" + a;
            int binsHere = 1 + random.nextInt(4);
            for (int b = 0; b < binsHere; b++) {
                Location bin = new Location(aisle, String.format("%02d-%s", 1 + random.nextInt(40),
                        random.nextBoolean() ? "top" : "floor") + b);
                room.bins.add(bin);
                room.expected.put(bin, minUnits + (long) (random.nextDouble() * (maxUnits - minUnits + 1)));
            }
        }
        return room;
    }

    /** Restocks every bin of the layout with its opening stock (an empty bin is left out: restock takes 1 or more). */
    void fill(Warehouse warehouse) {
        expected.forEach((bin, units) -> {
            if (units > 0) {
                warehouse.restock(bin, units);
            }
        });
    }

    long total() {
        return expected.values().stream().mapToLong(Long::longValue).sum();
    }

    long totalOf(String aisle) {
        return expected.entrySet().stream().filter(e -> e.getKey().aisle().equals(aisle))
                .mapToLong(Map.Entry::getValue).sum();
    }

    List<String> aisles() {
        return bins.stream().map(Location::aisle).distinct().toList();
    }

    void moved(Location from, Location to, long units) {
        expected.merge(from, -units, Long::sum);
        expected.merge(to, units, Long::sum);
    }
}
