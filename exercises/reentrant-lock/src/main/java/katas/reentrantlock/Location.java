package katas.reentrantlock;

import java.util.Objects;

/**
 * Where stock lies in the warehouse: a bin in an aisle (the warehouse is a tree, aisles of bins). Given: do not
 * change it. Immutable, so any thread may share it.
 *
 * @param aisle the aisle's name, for example "A7"
 * @param bin the bin's name within its aisle, for example "07-top"
 */
public record Location(String aisle, String bin) {

    public Location {
        Objects.requireNonNull(aisle, "aisle");
        Objects.requireNonNull(bin, "bin");
    }

    @Override
    public String toString() {
        return aisle + "/" + bin;
    }
}
