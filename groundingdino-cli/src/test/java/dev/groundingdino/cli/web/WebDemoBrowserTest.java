package dev.groundingdino.cli.web;

import dev.groundingdino.ImageInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web demo end to end in a real browser: starts the server on a free loopback port with the tiny golden
 * checkpoint, drives the page in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), uploads
 * the golden {@code cat_dog.jpeg}, sets the prompt and both sliders with the keyboard, submits, and checks the
 * summary line against the library's own result and the returned image's size; then uploads a file that is not an
 * image and checks the page's error message. The page is saved as {@code <build dir>/web-demo.png}.
 *
 * <p>Without {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (override with the system properties
 * {@code groundingdino.chromium} and {@code groundingdino.chromedriver}) the test is skipped with a message; with
 * {@code CI=true} it fails instead ({@code .ci/run} installs them).
 */
class WebDemoBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("groundingdino.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("groundingdino.chromedriver",
            "/usr/bin/chromedriver"));
    private static final String PROMPT = "cat . dog";
    /** The box slider pushed to its end (End key), the text slider to the end and back ten steps of 0.01. */
    private static final double BOX = 0.9;
    private static final double TEXT = 0.8;

    @Test
    void detectsTheGoldenImageThroughThePageInHeadlessChromium(@TempDir Path tmp) throws Exception {
        requireBrowser();
        Path suite = Golden.gdinoSuite();
        Path image = Golden.file("images/cat_dog.jpeg");
        BufferedImage input = ImageIO.read(image.toFile());
        Path notAnImage = Files.writeString(tmp.resolve("notes.jpg"), "these are notes, not a photo");

        try (Detector detector = Detector.builder(suite.resolve("gdino.pth")).config(suite.resolve("config.json"))
                        .build();
                WebDemoServer server = WebDemoServer.start(detector, null,
                        WebDemoOptions.defaults().withAddress("127.0.0.1", 0))) {
            WebDriver driver = startChromium(tmp.resolve("profile"));
            try {
                driver.get(server.uri().toString());
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
                wait.until(d -> !state(d).equals("loading"));
                assertThat(state(driver)).isEqualTo("ready");
                assertThat(text(driver, "model")).contains(detector.variant());
                assertThat(driver.findElement(By.id("demo-notice")).isDisplayed()).isFalse();
                assertThat(driver.findElement(By.id("sam-row")).isDisplayed()).isFalse();
                assertThat(driver.findElement(By.id("result")).isDisplayed()).as("no result image yet").isFalse();
                assertThat(driver.findElement(By.id("preview")).isDisplayed()).as("no preview yet").isFalse();

                WebElement prompt = driver.findElement(By.id("prompt"));
                assertThat(prompt.getDomProperty("value")).isEqualTo("person . car . dog");
                assertThat(prompt.getDomAttribute("placeholder")).isEqualTo("object1 . object2 . object3");
                assertThat(text(driver, "box-threshold-value")).isEqualTo("0.35");
                assertThat(text(driver, "text-threshold-value")).isEqualTo("0.25");

                // what a person does: choose the file, type the prompt, move the sliders, press Detect
                driver.findElement(By.id("image")).sendKeys(image.toAbsolutePath().toString());
                assertThat(driver.findElement(By.id("preview")).isDisplayed()).isTrue();
                prompt.clear();
                prompt.sendKeys(PROMPT);
                driver.findElement(By.id("box-threshold")).sendKeys(Keys.END);
                WebElement textSlider = driver.findElement(By.id("text-threshold"));
                textSlider.sendKeys(Keys.END);
                for (int i = 0; i < 10; i++) {
                    textSlider.sendKeys(Keys.ARROW_LEFT);
                }
                assertThat(text(driver, "box-threshold-value")).isEqualTo("0.90");
                assertThat(text(driver, "text-threshold-value")).isEqualTo("0.80");
                driver.findElement(By.id("detect")).click();

                new WebDriverWait(driver, Duration.ofSeconds(120)).until(d -> !state(d).equals("busy"));
                assertThat(driver.findElement(By.id("error")).isDisplayed()).as(text(driver, "error")).isFalse();
                assertThat(state(driver)).isEqualTo("done");

                DetectionResult expected;
                try (Detector tuned = detector.withThresholds(BOX, TEXT)) {
                    expected = tuned.detect(ImageInput.of(image), PROMPT);
                }
                assertThat(text(driver, "summary")).isEqualTo(DetectionSummary.of(expected))
                        .startsWith("Found " + expected.size() + " object");
                assertThat(driver.findElements(By.cssSelector("#detections li"))).hasSize(expected.size());

                WebElement result = driver.findElement(By.id("result"));
                assertThat(result.isDisplayed()).isTrue();
                JavascriptExecutor js = (JavascriptExecutor) driver;
                assertThat(js.executeScript("const i = document.getElementById('result');"
                        + "return i.complete ? [i.naturalWidth, i.naturalHeight] : null;"))
                        .isEqualTo(List.of((long) input.getWidth(), (long) input.getHeight()));
                BufferedImage returned = WebDemoServerTest.dataUrlImage(result.getDomProperty("src"));
                assertThat(returned.getWidth()).isEqualTo(input.getWidth());
                assertThat(returned.getHeight()).isEqualTo(input.getHeight());

                Path screenshot = buildDir().resolve("web-demo.png");
                Files.write(screenshot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
                System.out.println("web demo screenshot: " + screenshot);

                // a bad upload: a clear message on the page, no stack trace
                driver.findElement(By.id("image")).sendKeys(notAnImage.toAbsolutePath().toString());
                driver.findElement(By.id("detect")).click();
                new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> state(d).equals("error"));
                assertThat(text(driver, "error")).contains("not an image this demo accepts")
                        .doesNotContain("Exception", "at dev.");
            } finally {
                driver.quit();
            }
        }
    }

    private static WebDriver startChromium(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1400,1250");
        return new ChromeDriver(service, options);
    }

    private static void requireBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String message = "the browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get update && apt-get install -y chromium chromium-driver)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but " + message);
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    private static String state(WebDriver driver) {
        return String.valueOf(driver.findElement(By.tagName("body")).getDomAttribute("data-state"));
    }

    private static String text(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).getText();
    }

    /** The module's build folder ({@code target}, or {@code -Dbuild.dir}): the parent of the test classes. */
    private static Path buildDir() throws URISyntaxException, IOException {
        Path testClasses = Path.of(WebDemoBrowserTest.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        return Files.createDirectories(testClasses.getParent());
    }
}
