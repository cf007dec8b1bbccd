package dev.groundingdino.internal.weights;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The element types a checkpoint tensor may have, with their names in the three vocabularies that meet here:
 * PyTorch typed storages ({@code torch.FloatStorage}), PyTorch dtypes ({@code torch.float32}), safetensors
 * ({@code "F32"}) and libtorch's {@link ScalarType}.
 *
 * <p>This enum is pure Java: {@link #scalarType()} touches the JavaCPP enum only when called, so the pickle
 * reader that uses {@code DType} does not need the native libraries.
 */
public enum DType {
    FLOAT32(4, "F32", "FloatStorage", "float32", "float"),
    FLOAT16(2, "F16", "HalfStorage", "float16", "half"),
    BFLOAT16(2, "BF16", "BFloat16Storage", "bfloat16", null),
    FLOAT64(8, "F64", "DoubleStorage", "float64", "double"),
    INT64(8, "I64", "LongStorage", "int64", "long"),
    INT32(4, "I32", "IntStorage", "int32", "int"),
    INT16(2, "I16", "ShortStorage", "int16", "short"),
    INT8(1, "I8", "CharStorage", "int8", null),
    UINT8(1, "U8", "ByteStorage", "uint8", null),
    BOOL(1, "BOOL", "BoolStorage", "bool", null);

    private final int byteSize;
    private final String safetensorsName;
    private final String storageName;
    private final String torchName;
    private final String torchAlias;

    DType(int byteSize, String safetensorsName, String storageName, String torchName, String torchAlias) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
        this.storageName = storageName;
        this.torchName = torchName;
        this.torchAlias = torchAlias;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The safetensors header name ({@code "F32"}, {@code "BOOL"}, ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** The PyTorch dtype name ({@code "float32"}, ...), as printed after {@code torch.}. */
    public String torchName() {
        return torchName;
    }

    /** The libtorch scalar type of this element type. */
    public ScalarType scalarType() {
        return switch (this) {
            case FLOAT32 -> ScalarType.Float;
            case FLOAT16 -> ScalarType.Half;
            case BFLOAT16 -> ScalarType.BFloat16;
            case FLOAT64 -> ScalarType.Double;
            case INT64 -> ScalarType.Long;
            case INT32 -> ScalarType.Int;
            case INT16 -> ScalarType.Short;
            case INT8 -> ScalarType.Char;
            case UINT8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
        };
    }

    /** The element type of a libtorch scalar type, or {@code null} when checkpoints of this library cannot hold it. */
    public static DType ofScalarType(ScalarType type) {
        // JavaCPP hands native enum values out as fresh objects: compare the interned constant.
        ScalarType canonical = type == null ? null : type.intern();
        for (DType d : values()) {
            if (d.scalarType() == canonical) {
                return d;
            }
        }
        return null;
    }

    /** The element type of a safetensors dtype name, or {@code null} when unsupported. */
    public static DType ofSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The element type of a typed-storage class name such as {@code FloatStorage}, or {@code null}. */
    public static DType ofStorageName(String name) {
        for (DType d : values()) {
            if (d.storageName.equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The element type of a torch dtype attribute name such as {@code float32} or {@code long}, or {@code null}. */
    public static DType ofTorchName(String name) {
        for (DType d : values()) {
            if (d.torchName.equals(name) || name.equals(d.torchAlias)) {
                return d;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
