// Shows when the page loaded and whether CloudFront served index.html from its cache.
document.getElementById("loaded-at").textContent = new Date().toLocaleString("ko-KR");
fetch(window.location.pathname, { method: "HEAD", cache: "no-store" })
  .then((response) => {
    const status = response.headers.get("x-cache") || "(헤더 없음: CloudFront를 거치지 않음)";
    document.getElementById("cache-status").textContent = status;
    // Read the (empty) body: the browser cancels a response nobody reads.
    return response.text();
  })
  .catch(() => {
    document.getElementById("cache-status").textContent = "확인 실패";
  });
