package dev.streamscribe.schema;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random generic data for any schema, so compatibility is proven with bytes, not only by schema comparison. */
final class RandomAvroData {
    private final Random random;

    RandomAvroData(long seed) {
        this.random = new Random(seed);
    }

    Object next(Schema schema) {
        return switch (schema.getType()) {
            case RECORD -> {
                GenericData.Record record = new GenericData.Record(schema);
                schema.getFields().forEach(f -> record.put(f.name(), next(f.schema())));
                yield record;
            }
            case ENUM -> new GenericData.EnumSymbol(schema,
                    schema.getEnumSymbols().get(random.nextInt(schema.getEnumSymbols().size())));
            case ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    items.add(next(schema.getElementType()));
                }
                yield new GenericData.Array<>(schema, items);
            }
            case MAP -> {
                Map<String, Object> map = new HashMap<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    map.put("k" + random.nextInt(100), next(schema.getValueType()));
                }
                yield map;
            }
            case UNION -> next(schema.getTypes().get(random.nextInt(schema.getTypes().size())));
            case FIXED -> new GenericData.Fixed(schema, bytes(schema.getFixedSize()));
            case STRING -> "s" + random.nextInt(1_000);
            case BYTES -> ByteBuffer.wrap(bytes(random.nextInt(16)));
            case INT -> random.nextInt();
            case LONG -> random.nextLong();
            case FLOAT -> random.nextFloat();
            case DOUBLE -> random.nextDouble();
            case BOOLEAN -> random.nextBoolean();
            case NULL -> null;
        };
    }

    private byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
