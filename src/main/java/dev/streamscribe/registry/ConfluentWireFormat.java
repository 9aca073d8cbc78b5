package dev.streamscribe.registry;

import java.nio.ByteBuffer;

/**
 * The Confluent Schema Registry wire format: magic byte 0x00, the schema id as a big-endian int32, then the Avro
 * binary encoding of the value.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC_BYTE = 0x0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {
    }

    /** Writes the header for {@code schemaId} into {@code buffer}. */
    public static void writeHeader(ByteBuffer buffer, int schemaId) {
        buffer.put(MAGIC_BYTE).putInt(schemaId);
    }

    /**
     * The schema id of a framed record.
     *
     * @throws AvroDeserializationException TRUNCATED_RECORD or WRONG_MAGIC_BYTE
     */
    public static int schemaId(String topic, byte[] data) {
        if (data == null || data.length < HEADER_SIZE) {
            throw new AvroDeserializationException(AvroDeserializationException.Reason.TRUNCATED_RECORD, topic, -1,
                    (data == null ? "no value" : data.length + " bytes") + ", but the wire format needs at least "
                            + HEADER_SIZE + " bytes of header", null);
        }
        if (data[0] != MAGIC_BYTE) {
            throw new AvroDeserializationException(AvroDeserializationException.Reason.WRONG_MAGIC_BYTE, topic, -1,
                    String.format("first byte is 0x%02x, expected 0x00", data[0]), null);
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }
}
