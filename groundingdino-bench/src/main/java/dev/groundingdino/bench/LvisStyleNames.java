package dev.groundingdino.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded list of distinct class names shaped like LVIS's 1,203 categories (which cannot be downloaded here): one to
 * three words (LVIS: {@code "aerosol can"}, {@code "alarm clock"}, {@code "baseball glove"}, ...), rare words that the
 * tokenizer splits into pieces, so that the list's caption is about as long in tokens (LVIS: ~5,000).
 */
final class LvisStyleNames {
    private static final String[] NOUNS = {"can", "clock", "glove", "bag", "ball", "bottle", "box", "cup", "chair",
        "table", "lamp", "knife", "fork", "spoon", "plate", "bowl", "shoe", "boot", "hat", "cap", "shirt", "jacket",
        "coat", "dress", "tie", "belt", "ring", "watch", "phone", "camera", "book", "pen", "pencil", "brush", "comb",
        "towel", "pillow", "blanket", "curtain", "mirror", "vase", "basket", "bucket", "barrel", "bench", "bed",
        "desk", "door", "window", "fan", "heater", "oven", "stove", "sink", "toilet", "faucet", "kettle", "pot", "pan",
        "truck", "car", "bus", "train", "boat", "bicycle", "motorcycle", "airplane", "helicopter", "horse", "dog",
        "cat", "bird", "cow", "sheep", "goat", "pig", "duck", "chicken", "fish", "crab", "lobster", "banana", "apple",
        "orange", "lemon", "grape", "cherry", "carrot", "onion", "potato", "tomato", "cucumber", "pumpkin", "bread",
        "cake", "cookie", "pizza", "sandwich", "hamburger", "sausage", "egg", "cheese", "candle", "flag", "sign",
        "poster", "statue", "fountain", "tower", "bridge", "fence", "gate", "ladder", "rope", "chain", "wheel",
        "tire", "engine", "antenna", "helmet", "mask", "glasses", "umbrella", "suitcase", "wallet", "key", "lock"};
    private static final String[] MODIFIERS = {"aerosol", "alarm", "baseball", "tennis", "soccer", "golf", "paper",
        "plastic", "wooden", "metal", "glass", "leather", "rubber", "kitchen", "garden", "office", "police", "fire",
        "water", "coffee", "tea", "wine", "beer", "milk", "sugar", "salt", "pepper", "toy", "sleeping", "shopping",
        "trash", "mail", "ice", "snow", "beach", "sun", "rain", "pool", "table", "street", "traffic", "parking",
        "electric", "steam", "hand", "foot", "hair", "tooth", "nail", "cereal", "dish", "cutting", "measuring"};
    private static final String[] RARE = {"aardvark", "abacus", "accordion", "armadillo", "artichoke", "asparagus",
        "avocado", "bagpipe", "baguet", "barometer", "bassinet", "beret", "binoculars", "blimp", "bobbin", "bolo",
        "boomerang", "bouillon", "briefcase", "burrito", "cabana", "calculator", "canteen", "cappuccino", "carabiner",
        "cassette", "cauliflower", "chandelier", "chinaware", "clarinet", "colander", "crowbar", "cufflink",
        "dalmatian", "dishrag", "dumbbell", "edamame", "escargot", "flamingo", "footstool", "gargoyle", "gazelle",
        "gondola", "hairnet", "hummus", "inhaler", "jalapeno", "kimono", "ladle", "lanyard", "manatee", "marmalade",
        "mousepad", "nutcracker", "octopus", "omelet", "pacifier", "papaya", "parakeet", "pegboard", "pinwheel",
        "pitchfork", "quesadilla", "quiche", "recliner", "saucepan", "scarecrow", "shaker", "sombrero", "spatula",
        "stapler", "stirrup", "tambourine", "thermostat", "tinfoil", "tricycle", "turnip", "vulture", "waffle",
        "wok", "yoke", "zucchini"};

    private LvisStyleNames() {}

    /** {@code n} distinct names, the same for the same seed. */
    static List<String> generate(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < n) {
            int shape = random.nextInt(10);
            String name;
            if (shape < 3) {
                name = RARE[random.nextInt(RARE.length)] + (random.nextBoolean() ? ""
                        : " " + NOUNS[random.nextInt(NOUNS.length)]);
            } else if (shape < 5) {
                name = NOUNS[random.nextInt(NOUNS.length)];
            } else if (shape < 9) {
                name = MODIFIERS[random.nextInt(MODIFIERS.length)] + " " + NOUNS[random.nextInt(NOUNS.length)];
            } else {
                name = MODIFIERS[random.nextInt(MODIFIERS.length)] + " " + RARE[random.nextInt(RARE.length)] + " "
                        + NOUNS[random.nextInt(NOUNS.length)];
            }
            names.add(name);
        }
        return new ArrayList<>(names);
    }
}
