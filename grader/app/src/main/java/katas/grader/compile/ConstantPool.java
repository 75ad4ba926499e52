package katas.grader.compile;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A class file's constant pool (JVMS 4.4), read straight from the format since the grader runs on
 * JDK 21, which has no class-file API.
 */
final class ConstantPool {

    /** A field or method a class refers to, by the owner's internal name ({@code java/lang/Thread}). */
    record MemberRef(String owner, String name, String descriptor) {
    }

    private final Object[] values;
    private final List<int[]> memberRefs;
    private final List<String> strings;

    private ConstantPool(Object[] values, List<int[]> memberRefs, List<String> strings) {
        this.values = values;
        this.memberRefs = memberRefs;
        this.strings = strings;
    }

    /** Reads a class file's header and pool; {@code in} is left at the class's access flags. */
    static ConstantPool ofClassFile(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        return read(in);
    }

    private static ConstantPool read(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        Object[] values = new Object[count];
        int[] strings = new int[count];
        List<int[]> refs = new ArrayList<>();
        int[][] nameAndTypes = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> values[i] = in.readUTF();
                case 3 -> values[i] = in.readInt();
                case 4 -> values[i] = in.readFloat();
                case 5 -> values[i++] = in.readLong();
                case 6 -> values[i++] = in.readDouble();
                case 7 -> values[i] = in.readUnsignedShort();
                case 8 -> strings[i] = in.readUnsignedShort();
                case 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 9, 10, 11 -> refs.add(new int[] {in.readUnsignedShort(), in.readUnsignedShort()});
                case 12 -> nameAndTypes[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 17, 18 -> in.readInt();
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        List<String> texts = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (strings[i] != 0) {
                texts.add((String) values[strings[i]]);
                values[i] = "\"" + values[strings[i]] + "\"";
            }
        }
        List<int[]> resolved = refs.stream()
                .map(r -> new int[] {r[0], nameAndTypes[r[1]][0], nameAndTypes[r[1]][1]}).toList();
        return new ConstantPool(values, resolved, List.copyOf(texts));
    }

    /**
     * The entry at {@code index}: a String for Utf8, a number for Integer, Long, Float and Double, the
     * name's index (an Integer) for a Class, the quoted text for a String; null for the others.
     */
    Object get(int index) {
        return values[index];
    }

    /** The internal name of the Class entry at {@code index}. */
    String className(int index) {
        return String.valueOf(values[(Integer) values[index]]);
    }

    /** Every field and method the class refers to. */
    List<MemberRef> memberRefs() {
        return memberRefs.stream()
                .map(r -> new MemberRef(className(r[0]), (String) values[r[1]], (String) values[r[2]])).toList();
    }

    /** The text of every String constant, unquoted. */
    List<String> strings() {
        return strings;
    }
}
