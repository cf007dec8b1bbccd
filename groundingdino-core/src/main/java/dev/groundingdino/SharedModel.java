package dev.groundingdino;

import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The weights of one loaded model, shared by a {@link Detector} and every detector derived from it
 * ({@code withThresholds}, ...), with a reference count: each owner releases once, the last release frees the
 * weights.
 */
final class SharedModel {
    private final LoadedGroundingDino loaded;
    private final org.bytedeco.pytorch.Device torchDevice;
    private final ScalarType dtype;
    private final Device device;
    private final Precision precision;
    private final String source;
    private final boolean demo;
    private int owners = 1;

    SharedModel(LoadedGroundingDino loaded, org.bytedeco.pytorch.Device torchDevice, ScalarType dtype, Device device,
            Precision precision, String source, boolean demo) {
        this.loaded = loaded;
        this.torchDevice = torchDevice;
        this.dtype = dtype;
        this.device = device;
        this.precision = precision;
        this.source = source;
        this.demo = demo;
    }

    /** Adds an owner. */
    synchronized SharedModel retain() {
        if (owners == 0) {
            throw new IllegalStateException("the model weights were already freed");
        }
        owners++;
        return this;
    }

    /** Removes an owner; the last one frees the weights. */
    synchronized void release() {
        if (owners == 0) {
            return;
        }
        if (--owners == 0) {
            try {
                loaded.close();
            } finally {
                torchDevice.close();
            }
        }
    }

    synchronized int owners() {
        return owners;
    }

    LoadedGroundingDino loaded() {
        return loaded;
    }

    org.bytedeco.pytorch.Device torchDevice() {
        return torchDevice;
    }

    ScalarType dtype() {
        return dtype;
    }

    Device device() {
        return device;
    }

    Precision precision() {
        return precision;
    }

    String source() {
        return source;
    }

    boolean demo() {
        return demo;
    }
}
