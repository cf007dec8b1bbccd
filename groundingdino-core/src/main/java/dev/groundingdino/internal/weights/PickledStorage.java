package dev.groundingdino.internal.weights;

/**
 * A tensor storage named by a {@code .pth} pickle's persistent id
 * {@code ("storage", storage_type, key, location, numel)}: the raw data lives in the zip record
 * {@code <top>/data/<key>}. One instance per key, so tensors that share a storage share this object.
 *
 * @param key the record name inside the archive's {@code data/} folder
 * @param dtype the element type, or {@code null} when the storage type is not supported
 *     ({@link #typeName()} says which)
 * @param typeName the pickled storage type, e.g. {@code torch.FloatStorage}
 * @param location the device it was saved from ({@code cpu}, {@code cuda:0}); tensors are always read to the CPU
 * @param numel the number of elements the pickle declares
 */
public record PickledStorage(String key, DType dtype, String typeName, String location, long numel) {
    @Override
    public String toString() {
        return "storage(" + key + ", " + typeName + ", " + location + ", " + numel + ")";
    }
}
