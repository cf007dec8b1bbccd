'use strict';

// The GroundingDINO web demo page: posts the chosen image file as the request body of /api/detect, with the
// prompt, thresholds and SAM switch in the query string, and shows the annotated image and the summary line.
(function () {
  const $ = (id) => document.getElementById(id);
  let info = null;

  function setState(state) {
    document.body.dataset.state = state;
  }

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = false;
  }

  function clearError() {
    $('error').textContent = '';
    $('error').hidden = true;
  }

  function megabytes(bytes) {
    const units = [[1048576, 'MB'], [1024, 'KB']];
    for (const [size, name] of units) {
      if (bytes >= size) {
        return bytes % size === 0 ? (bytes / size) + ' ' + name : (bytes / size).toFixed(1) + ' ' + name;
      }
    }
    return bytes + ' bytes';
  }

  function bindSlider(id) {
    const slider = $(id);
    const output = $(id + '-value');
    const update = () => { output.textContent = Number(slider.value).toFixed(2); };
    slider.addEventListener('input', update);
    slider.addEventListener('change', update);
    update();
  }

  async function loadInfo() {
    try {
      const response = await fetch('api/info');
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      info = await response.json();
    } catch (e) {
      $('model').textContent = 'The demo server cannot be reached (' + e.message + '). Is it still running?';
      setState('error');
      return;
    }
    let model = 'Model: ' + info.model + ' on ' + info.device + ' (' + info.precision + ')';
    if (info.sam) {
      model += ' + Segment Anything ' + info.samVariant;
    }
    $('model').textContent = model;
    if (info.demo) {
      $('demo-notice').textContent = 'This server runs the random-weight DEMO model: it finds nothing meaningful ' +
          '(its boxes and labels are noise). Start it with --weights groundingdino_swint_ogc.pth, or put that ' +
          'file in ~/.cache/groundingdino/, for real detections.';
      $('demo-notice').hidden = false;
    }
    $('limits').textContent = info.acceptedFormats + ', at most ' + megabytes(info.maxUploadBytes) + ' and ' +
        info.maxImageSide + ' pixels on each side.';
    $('prompt').maxLength = info.maxPromptChars;
    $('sam-row').hidden = !info.sam;
    setState('ready');
  }

  function chosenFile() {
    const files = $('image').files;
    return files && files.length > 0 ? files[0] : null;
  }

  function onFileChosen() {
    clearError();
    const file = chosenFile();
    const preview = $('preview');
    if (preview.src) {
      URL.revokeObjectURL(preview.src);
    }
    if (!file) {
      preview.hidden = true;
      return;
    }
    if (info && file.size > info.maxUploadBytes) {
      showError('The file is ' + megabytes(file.size) + '; this server accepts images of at most ' +
          megabytes(info.maxUploadBytes) + '. Choose a smaller file.');
    }
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  }

  function showDetections(detections) {
    const list = $('detections');
    list.replaceChildren();
    for (const d of detections) {
      const item = document.createElement('li');
      const label = d.label.trim() === '' ? '(no label)' : d.label.trim();
      item.textContent = label + ' ' + d.score.toFixed(2) + ' [' +
          d.box.map((v) => v.toFixed(0)).join(', ') + ']';
      list.appendChild(item);
    }
  }

  async function detect(event) {
    event.preventDefault();
    clearError();
    const file = chosenFile();
    if (!file) {
      showError('Choose an image file first.');
      setState('error');
      return;
    }
    const prompt = $('prompt').value.trim();
    if (prompt === '') {
      showError('Type the objects to detect, separated by " . ", e.g. "person . car . dog".');
      setState('error');
      return;
    }
    if (info && file.size > info.maxUploadBytes) {
      showError('The file is ' + megabytes(file.size) + '; this server accepts images of at most ' +
          megabytes(info.maxUploadBytes) + '. Choose a smaller file.');
      setState('error');
      return;
    }
    const params = new URLSearchParams({
      prompt: prompt,
      box: $('box-threshold').value,
      text: $('text-threshold').value,
      sam: String(Boolean(info && info.sam && $('sam').checked)),
    });
    $('detect').disabled = true;
    $('status').textContent = 'Detecting\u2026';
    setState('busy');
    try {
      const response = await fetch('api/detect?' + params.toString(), {
        method: 'POST',
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
        body: file,
      });
      let data;
      try {
        data = await response.json();
      } catch (e) {
        data = { error: 'The server answered HTTP ' + response.status + ' without an explanation.' };
      }
      if (!response.ok || data.error) {
        showError(data.error || ('The server answered HTTP ' + response.status + '.'));
        $('status').textContent = '';
        setState('error');
        return;
      }
      $('result').src = data.image;
      $('result').hidden = false;
      $('summary').textContent = data.summary;
      showDetections(data.detections);
      $('status').textContent = 'Done in ' + (data.millis / 1000).toFixed(1) + ' s' +
          (data.segmented ? ' (with SAM masks)' : '') + '.';
      setState('done');
    } catch (e) {
      showError('The request failed: ' + e.message + '. Is the server still running?');
      $('status').textContent = '';
      setState('error');
    } finally {
      $('detect').disabled = false;
    }
  }

  bindSlider('box-threshold');
  bindSlider('text-threshold');
  $('image').addEventListener('change', onFileChosen);
  $('form').addEventListener('submit', detect);
  loadInfo();
})();
