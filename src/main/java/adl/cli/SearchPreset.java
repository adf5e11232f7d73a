package adl.cli;

/**
 * The two presets of {@code adl search}. {@code paper}: the numbers of Auto-DeepLab §5.1
 * (L 12, B 5, F 8, 321×321 crops, batch 2, 40 epochs, architecture from epoch 20, SGD 0.025 →
 * 0.001 cosine, momentum 0.9, weight decay 3e-4, Adam 3e-3, weight decay 1e-3). {@code small}:
 * the same search scaled to finish in minutes on a 2-core CPU — all four levels and all eight
 * ops present, architecture steps from half-way as the paper (240 of them).
 */
enum SearchPreset {
    SMALL(4, 5, 4, 64, 2, 24, 12, 80, 16),
    PAPER(12, 5, 8, 321, 2, 40, 20, 2975, 500);

    final int layers, blocks, filterMultiplier, crop, batch, epochs, archStartEpoch, trainImages, valImages;

    SearchPreset(int layers, int blocks, int filterMultiplier, int crop, int batch, int epochs, int archStartEpoch,
                 int trainImages, int valImages) {
        this.layers = layers;
        this.blocks = blocks;
        this.filterMultiplier = filterMultiplier;
        this.crop = crop;
        this.batch = batch;
        this.epochs = epochs;
        this.archStartEpoch = archStartEpoch;
        this.trainImages = trainImages;
        this.valImages = valImages;
    }

    static final double LR = 0.025, LR_MIN = 0.001, MOMENTUM = 0.9, WEIGHT_DECAY = 3e-4,
            ARCH_LR = 3e-3, ARCH_WEIGHT_DECAY = 1e-3, ARCH_BETA1 = 0.9, ARCH_BETA2 = 0.999;
}
