package dev.groundingdino.spark.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Spark form of the labels: the struct of one detection, its fields' names, and the conversions between
 * {@link LabelBox} and rows.
 *
 * <pre>
 * struct&lt;label: string, class_id: int, score: double, x0: double, y0: double, x1: double, y1: double
 *        [, mask: struct&lt;size: array&lt;int&gt;, counts: string&gt;]&gt;
 * </pre>
 */
public final class LabelRows {
    public static final String LABEL = "label";
    public static final String CLASS_ID = "class_id";
    public static final String SCORE = "score";
    public static final String X0 = "x0";
    public static final String Y0 = "y0";
    public static final String X1 = "x1";
    public static final String Y1 = "y1";
    public static final String MASK = "mask";
    /** The COCO RLE {@code size}: {@code [height, width]}. */
    public static final String SIZE = "size";
    /** The COCO RLE compressed {@code counts} string. */
    public static final String COUNTS = "counts";

    private LabelRows() {}

    /** The COCO RLE struct. */
    public static StructType rleType() {
        return new StructType(new StructField[] {
            DataTypes.createStructField(SIZE, DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField(COUNTS, DataTypes.StringType, false)});
    }

    /** The struct of one detection; with {@code masks} it has the {@code mask} field (null when not segmented). */
    public static StructType boxType(boolean masks) {
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField(LABEL, DataTypes.StringType, false),
                DataTypes.createStructField(CLASS_ID, DataTypes.IntegerType, false),
                DataTypes.createStructField(SCORE, DataTypes.DoubleType, false),
                DataTypes.createStructField(X0, DataTypes.DoubleType, false),
                DataTypes.createStructField(Y0, DataTypes.DoubleType, false),
                DataTypes.createStructField(X1, DataTypes.DoubleType, false),
                DataTypes.createStructField(Y1, DataTypes.DoubleType, false)));
        if (masks) {
            fields.add(DataTypes.createStructField(MASK, rleType(), true));
        }
        return DataTypes.createStructType(fields);
    }

    /** The detections column: an array of {@link #boxType}, null for images that could not be labelled. */
    public static ArrayType detectionsType(boolean masks) {
        return DataTypes.createArrayType(boxType(masks), false);
    }

    /** The detections as Spark's external array value (a Scala {@code Seq} of rows). */
    static scala.collection.immutable.Seq<Row> toRows(List<LabelBox> boxes, boolean masks) {
        List<Row> out = new ArrayList<>(boxes.size());
        for (LabelBox b : boxes) {
            if (masks) {
                Row mask = b.mask() == null ? null
                        : RowFactory.create(seq(List.of(b.mask().height(), b.mask().width())), b.mask().counts());
                out.add(RowFactory.create(b.label(), b.classId(), b.score(), b.x0(), b.y0(), b.x1(), b.y1(), mask));
            } else {
                out.add(RowFactory.create(b.label(), b.classId(), b.score(), b.x0(), b.y0(), b.x1(), b.y1()));
            }
        }
        return seq(out);
    }

    private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
        return CollectionConverters.asScala(list).toSeq();
    }

    /** A detection struct back as a {@link LabelBox} (fields found by name). */
    public static LabelBox fromRow(Row r) {
        LabelBox.Rle mask = null;
        if (hasField(r, MASK) && !r.isNullAt(r.fieldIndex(MASK))) {
            Row m = r.getStruct(r.fieldIndex(MASK));
            List<Integer> size = m.getList(m.fieldIndex(SIZE));
            mask = new LabelBox.Rle(size.get(0), size.get(1), m.getString(m.fieldIndex(COUNTS)));
        }
        return new LabelBox(r.getString(r.fieldIndex(LABEL)), r.getInt(r.fieldIndex(CLASS_ID)),
                r.getDouble(r.fieldIndex(SCORE)), r.getDouble(r.fieldIndex(X0)), r.getDouble(r.fieldIndex(Y0)),
                r.getDouble(r.fieldIndex(X1)), r.getDouble(r.fieldIndex(Y1)), mask);
    }

    private static boolean hasField(Row r, String name) {
        return r.schema() != null && List.of(r.schema().fieldNames()).contains(name);
    }
}
