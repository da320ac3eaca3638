import Foundation
import Testing
import TestSupport

/// The web page in a real browser: headless Chromium (Debian's chromium and chromium-driver,
/// driven by selenium from PyPI, installed by `make test`) against a running server.
@Suite("Web page", .serialized)
struct PageBrowserTests {
    /// The path of a browser and its driver, or why there is none (the test then skips, saying so).
    static var browser: (chromium: String, driver: String)? {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let driver = ["/usr/bin/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium, let driver, TestSupport.pythonHas("selenium") else { return nil }
        return (chromium, driver)
    }

    @Test func aPickedImageShowsItsAnswersNeighboursAndTheCatalogueOpensAGalaxy() throws {
        guard let browser = Self.browser else {
            print("skipped: no headless browser (apt-get install chromium chromium-driver; python3 -m pip install selenium)")
            return
        }
        let (run, folder, _) = try CatalogueCLITests.setUp
        let images = folder + "/mock/images_training_rev1"
        let embedded = try CLI.run(["embed", "--run", run, "--images", images, "--tta", "1", "--out", folder + "/page-e.npy"])
        #expect(embedded.status == 0, "\(embedded.error)")
        let tables = folder + "/page-tables"
        try FileManager.default.createDirectory(atPath: tables, withIntermediateDirectories: true)
        let predicted = try CLI.run(["predict", "--run", run, "--images", images, "--tta", "1", "--out", tables + "/mock.csv"])
        #expect(predicted.status == 0, "\(predicted.error)")
        let server = try RunningServer(["--run", run, "--tta", "1", "--embeddings", folder + "/page-e.npy", "--thumbnails", images, "--catalogues", tables])
        defer { _ = server.stop() }
        let first = try FileManager.default.contentsOfDirectory(atPath: images).sorted()[0]
        let report = try TestSupport.python("""
            from selenium import webdriver
            from selenium.webdriver.common.by import By
            from selenium.webdriver.support.ui import WebDriverWait
            options = webdriver.ChromeOptions()
            options.binary_location = '\(browser.chromium)'
            for a in ['--headless=new', '--no-sandbox', '--disable-gpu', '--window-size=1280,1600']: options.add_argument(a)
            driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path='\(browser.driver)'), options=options)
            try:
                wait = WebDriverWait(driver, 60)
                driver.get('http://127.0.0.1:\(server.port)/')
                driver.find_element(By.ID, 'file').send_keys('\(images)/\(first)')
                wait.until(lambda d: d.find_element(By.ID, 'path').text.startswith('Likeliest path'))
                questions = driver.find_elements(By.CSS_SELECTOR, '.question')
                bars = driver.find_elements(By.CSS_SELECTOR, '.question .answer .fill')
                wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '#neighbours img')) > 0)
                wait.until(lambda d: d.execute_script("return [...document.querySelectorAll('#neighbours img')].every(i => i.complete && i.naturalWidth > 0)"))
                print('look', len(questions), len(bars), driver.find_element(By.ID, 'path').text[:15], len(driver.find_elements(By.CSS_SELECTOR, '#neighbours img')))
                print('parts', driver.execute_script("return document.getElementById('parts').naturalWidth > 0"))
                driver.save_screenshot('\(folder)/page.png')
                driver.find_element(By.ID, 'tab-catalogue').click()
                wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '#rows tbody tr')) > 0)
                rows = driver.find_elements(By.CSS_SELECTOR, '#rows tbody tr')
                print('catalogue', len(rows), driver.find_element(By.ID, 'catalogue-status').text)
                rows[2].click()
                wait.until(lambda d: d.find_element(By.ID, 'status').text.startswith('galaxy '))
                wait.until(lambda d: d.find_element(By.ID, 'path').text.startswith('Likeliest path'))
                print('opened', driver.find_element(By.ID, 'status').text.split()[0])
            finally:
                driver.quit()
            """)
        let lines = report.split(separator: "\n").map(String.init)
        #expect(lines.contains("look 11 37 Likeliest path: 12"), "\(report)")
        #expect(lines.contains("parts True") && lines.contains("opened galaxy"), "\(report)")
        #expect(lines.first { $0.hasPrefix("catalogue 40 40 of 40 galaxies") } != nil, "\(report)")
        #expect(FileManager.default.fileExists(atPath: folder + "/page.png"))
    }
}
