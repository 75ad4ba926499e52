package katas.boundedbuffer;

/** An item a producer puts: which producer, and its place in that producer's order. Distinct objects each. */
record Parcel(int producer, int seq) {

    @Override
    public String toString() {
        return "p" + producer + "#" + seq;
    }
}
